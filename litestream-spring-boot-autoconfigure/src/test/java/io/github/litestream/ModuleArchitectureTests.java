package io.github.litestream;

import java.util.List;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EnginePackagesTests}' rules (no Spring in the engine, the layers), over the main
 * classes of every module this one sees: litestream-core, litestream-replica-s3,
 * litestream-replica-sftp and the
 * Spring glue; and every package of them is {@link NullMarked}.
 */
class ModuleArchitectureTests extends EnginePackagesTests {

	// The other modules' test-jars are on the class path too; their classes are not the product.
	private static final JavaClasses ALL_MODULES = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.withImportOption((location) -> !location.contains("-tests.jar"))
		.importPackages("io.github.litestream");

	@Override
	JavaClasses classes() {
		return ALL_MODULES;
	}

	@Test
	void everyModuleIsChecked() {
		assertThat(packages()).contains("io.github.litestream", "io.github.litestream.replica.file",
				"io.github.litestream.replica.s3", "io.github.litestream.boot.autoconfigure",
				"io.github.litestream.boot.actuate");
		assertThat(ALL_MODULES.contain("io.github.litestream.replica.s3.S3ReplicaClient")).isTrue();
		assertThat(ALL_MODULES.contain("io.github.litestream.replica.sftp.SftpReplicaClient")).isTrue();
		assertThat(ALL_MODULES.contain("io.github.litestream.replica.s3.S3ProxyServer")).as("test classes are left out")
			.isFalse();
	}

	@Test
	void everyPackageOfEveryModuleIsNullMarked() throws ClassNotFoundException {
		for (String name : packages()) {
			Class<?> packageInfo = Class.forName(name + ".package-info");
			assertThat(packageInfo.isAnnotationPresent(NullMarked.class)).as("%s is @NullMarked", name).isTrue();
		}
	}

	private List<String> packages() {
		return ALL_MODULES.stream().map(JavaClass::getPackageName).distinct().sorted().toList();
	}

}

package io.github.litestream;

import java.util.List;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every package of the main code has a {@code package-info.java} that says what it owns and is
 * {@link NullMarked}, as Spring Boot's packages are; a new package can't forget it.
 */
class PackageInfoTests {

	@Test
	void everyPackageIsNullMarked() throws ClassNotFoundException {
		List<String> packages = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("io.github.litestream")
			.stream()
			.map(JavaClass::getPackageName)
			.distinct()
			.sorted()
			.toList();
		assertThat(packages).contains("io.github.litestream", "io.github.litestream.replica.file");
		for (String name : packages) {
			Class<?> packageInfo = Class.forName(name + ".package-info");
			assertThat(packageInfo.isAnnotationPresent(NullMarked.class)).as("%s is @NullMarked", name).isTrue();
		}
	}

}

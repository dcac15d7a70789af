package io.github.litestream.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tool reads the configuration with the auto-configuration module's binding but never
 * runs an application context (no auto-configuration, no beans, no web server), and its
 * package is {@link NullMarked} like every other.
 */
class CliArchitectureTests {

	private static final JavaClasses CLI = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.github.litestream.cli");

	@Test
	void runsNoApplicationContext() {
		noClasses().should()
			.dependOnClassesThat()
			.haveFullyQualifiedName("org.springframework.boot.SpringApplication")
			.orShould()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework.context..", "org.springframework.boot.autoconfigure..",
					"org.springframework.boot.actuate..")
			.check(CLI);
	}

	@Test
	void isNullMarked() {
		assertThat(LitestreamCli.class.getPackage().isAnnotationPresent(NullMarked.class)).isTrue();
	}

}

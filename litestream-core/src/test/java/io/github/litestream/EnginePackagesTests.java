package io.github.litestream;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The engine reads like a library: its packages never depend on Spring, and data flows one
 * way (sqlite, db, replica, restore), never back into the Spring glue.
 */
class EnginePackagesTests {

	private static final String[] ENGINE = { "io.github.litestream", "io.github.litestream.sqlite..", "io.github.litestream.db..",
			"io.github.litestream.replica..", "io.github.litestream.restore.." };

	private final JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.github.litestream");

	@Test
	void engineDoesNotDependOnSpring() {
		noClasses().that()
			.resideInAnyPackage(ENGINE)
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "io.awspring..")
			.check(this.classes);
	}

	@Test
	void engineDoesNotDependOnTheBootGlue() {
		noClasses().that()
			.resideInAnyPackage(ENGINE)
			.should()
			.dependOnClassesThat()
			.resideInAPackage("io.github.litestream.boot..")
			.check(this.classes);
	}

	@Test
	void formatsDependOnNothingElseInTheEngine() {
		noClasses().that()
			.resideInAPackage("io.github.litestream.sqlite..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.github.litestream.db..", "io.github.litestream.replica..",
					"io.github.litestream.restore..")
			.check(this.classes);
	}

}

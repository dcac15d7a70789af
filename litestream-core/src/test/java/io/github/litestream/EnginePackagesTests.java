package io.github.litestream;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * The engine reads like a library: its packages never depend on Spring, and data flows one
 * way (sqlite, db, replica, restore, the engine's entry point, the Spring glue), never back.
 * <p>The replica format (the {@code ReplicaClient} SPI, {@code Pos}, the key layout, the
 * listener and status types) lives in package {@code replica} next to {@code Replica}, which
 * syncs a {@code db.ReplicatedDatabase}: {@code db} records positions in the format's
 * {@code Pos}, so the layers are drawn by class, the format below {@code db} and {@code Replica}
 * above it. This module sees its own classes; {@code ModuleArchitectureTests} in the
 * auto-configuration module runs the same rules over every module.
 */
class EnginePackagesTests {

	/**
	 * The replica's own work on the database: {@link Replica}, its helper that resumes it, its
	 * WAL stream, its snapshots and its retention pass.
	 */
	private static final DescribedPredicate<JavaClass> REPLICATION = belongToAnyOf(Replica.class)
		.or(name("io.github.litestream.replica.ResumePoint"))
		.or(name("io.github.litestream.replica.WalStream"))
		.or(name("io.github.litestream.replica.ReplicaSnapshots"))
		.or(name("io.github.litestream.replica.SnapshotTurns"))
		.or(name("io.github.litestream.replica.SnapshotTurns$Recorder"))
		.or(name("io.github.litestream.replica.ReplicaRetention"));

	private static final String[] ENGINE = { "io.github.litestream", "io.github.litestream.sqlite..", "io.github.litestream.db..",
			"io.github.litestream.replica..", "io.github.litestream.restore..", "io.github.litestream.jdbc..",
			"io.github.litestream.age..", "io.github.litestream.lease.." };

	private static final JavaClasses CORE = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.github.litestream");

	/**
	 * The main classes the rules check.
	 * @return this module's main classes
	 */
	JavaClasses classes() {
		return CORE;
	}

	@Test
	void engineDoesNotDependOnSpring() {
		noClasses().that()
			.resideInAnyPackage(ENGINE)
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "io.awspring..")
			.check(classes());
	}

	@Test
	void engineDoesNotDependOnTheBootGlue() {
		noClasses().that()
			.resideInAnyPackage(ENGINE)
			.should()
			.dependOnClassesThat()
			.resideInAPackage("io.github.litestream.boot..")
			.check(classes());
	}

	@Test
	void formatsDependOnNothingElseInTheEngine() {
		noClasses().that()
			.resideInAPackage("io.github.litestream.sqlite..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.github.litestream.db..", "io.github.litestream.replica..",
					"io.github.litestream.restore..")
			.check(classes());
	}

	@Test
	void ageFormatDependsOnNothingElseInTheEngine() {
		noClasses().that()
			.resideInAPackage("io.github.litestream.age..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.github.litestream.sqlite..", "io.github.litestream.db..",
					"io.github.litestream.replica..", "io.github.litestream.restore..")
			.check(classes());
	}

	@Test
	void layersDependOnlyOnTheLayersBelow() {
		layeredArchitecture().consideringOnlyDependenciesInLayers()
			.withOptionalLayers(true)
			.layer("SQLite formats")
			.definedBy(resideInAPackage("io.github.litestream.sqlite.."))
			.layer("Age format")
			.definedBy(resideInAPackage("io.github.litestream.age.."))
			.layer("Replica format")
			.definedBy(resideInAPackage("io.github.litestream.replica").and(not(REPLICATION)))
			.layer("Database")
			.definedBy(resideInAPackage("io.github.litestream.db.."))
			.layer("Replication")
			.definedBy(REPLICATION)
			.layer("Lease")
			.definedBy(resideInAPackage("io.github.litestream.lease.."))
			.layer("Backends")
			// every backend: replica.file, replica.s3, replica.abs, ... (each a sub-package of replica)
			.definedBy(resideInAPackage("io.github.litestream.replica.*.."))
			.layer("Restore")
			.definedBy(resideInAPackage("io.github.litestream.restore.."))
			.layer("Engine")
			.definedBy(resideInAPackage("io.github.litestream"))
			.layer("JDBC")
			.definedBy(resideInAPackage("io.github.litestream.jdbc.."))
			.layer("Boot")
			.definedBy(resideInAPackage("io.github.litestream.boot.."))
			.whereLayer("Boot")
			.mayNotBeAccessedByAnyLayer()
			.whereLayer("JDBC")
			.mayOnlyBeAccessedByLayers("Boot")
			.whereLayer("Engine")
			.mayOnlyBeAccessedByLayers("JDBC", "Boot")
			.whereLayer("Restore")
			.mayOnlyBeAccessedByLayers("Engine", "Boot")
			.whereLayer("Lease")
			.mayOnlyBeAccessedByLayers("Engine", "Boot")
			.whereLayer("Backends")
			.mayOnlyBeAccessedByLayers("Boot")
			.whereLayer("Replication")
			.mayOnlyBeAccessedByLayers("Restore", "Engine", "Boot")
			.whereLayer("Database")
			.mayOnlyBeAccessedByLayers("Replication", "Restore", "Engine", "JDBC", "Boot")
			.whereLayer("Replica format")
			.mayOnlyBeAccessedByLayers("Database", "Replication", "Backends", "Lease", "Restore", "Engine", "Boot")
			.whereLayer("Age format")
			.mayOnlyBeAccessedByLayers("Replica format", "Replication", "Restore", "Engine", "Boot")
			.check(classes());
	}

	@Test
	void databaseUsesOnlyPositionsOfTheReplicaFormat() {
		noClasses().that()
			.resideInAPackage("io.github.litestream.db..")
			.should()
			.dependOnClassesThat(resideInAPackage("io.github.litestream.replica..").and(not(type(Pos.class))))
			.check(classes());
	}

}

package io.github.litestream.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code -config} reads a {@code litestream.yml} or the application's own configuration (its
 * {@code litestream:} section, the documents and files of {@code -profile}, {@code $VAR}
 * expansion, the database of {@code spring.datasource.url}) with the auto-configuration's
 * binding and validation, so the tool sees the application's replicas and reports the same
 * configuration errors.
 */
class ConfigurationTests {

	@TempDir
	Path dir;

	private Path replica;

	private Path output;

	@BeforeEach
	void copyReplica() throws IOException {
		this.replica = CliFixture.copyWithTimes(this.dir.resolve("backups/app"), RestoreCommandTests.BASE);
		this.output = this.dir.resolve("restored.db");
	}

	@Test
	void readsTheApplicationsYamlWithItsDataSourceAndExpandedVariables() throws Exception {
		Path database = this.dir.resolve("data/app.db");
		Path config = Files.writeString(this.dir.resolve("application.yml"), """
				spring:
				  datasource:
				    url: jdbc:sqlite:%s
				litestream:
				  dbs:
				    - replicas:
				        - name: backup
				          path: $BACKUP_ROOT/app
				""".formatted(database));
		Cli cli = new Cli(Map.of("BACKUP_ROOT", this.dir.resolve("backups").toString()));

		Cli.Result result = cli.run("restore", "-config", config.toString(), "-replica", "backup", "-index", "0000000a",
				database.toString());

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(CliFixture.summary(database)).isEqualTo(CliFixture.expected(0xaL));
	}

	@Test
	void aTildeInTheConfigPathIsTheHomeDirectoryAsInLitestream() throws Exception {
		// The shell expands ~ only at the start of a word: not in -config=~/…, quotes or variables.
		Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: ~/data/app.db
				    replicas:
				      - path: ~/backups/app
				""");
		String home = System.getProperty("user.home");
		System.setProperty("user.home", this.dir.toString());
		try {
			Cli.Result flag = new Cli(Map.of()).run("snapshots", "-config", "~/litestream.yml", "~/data/app.db");
			Cli.Result joined = new Cli(Map.of()).run("snapshots", "-config=~/litestream.yml", "~/data/app.db");
			Cli.Result variable = new Cli(Map.of("LITESTREAM_CONFIG", "~/litestream.yml")).run("databases");

			assertThat(flag.exitCode()).as(flag.toString()).isZero();
			assertThat(flag.out().lines()).as(flag.toString()).hasSize(5);
			assertThat(joined.exitCode()).as(joined.toString()).isZero();
			assertThat(joined.out()).isEqualTo(flag.out());
			assertThat(variable.exitCode()).as(variable.toString()).isZero();
			assertThat(variable.out()).contains(this.dir.resolve("data/app.db").toString());
		}
		finally {
			System.setProperty("user.home", home);
		}
	}

	@Test
	void aMissingConfigIsNamedWithTheHomeDirectoryExpanded() {
		String home = System.getProperty("user.home");
		System.setProperty("user.home", this.dir.toString());
		try {
			Cli.Result result = new Cli(Map.of("LITESTREAM_CONFIG", "~/missing.yml")).run("databases");

			assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILED);
			assertThat(result.err()).contains("config file " + this.dir.resolve("missing.yml") + " not found");
		}
		finally {
			System.setProperty("user.home", home);
		}
	}

	@Test
	void aValueThatDoesNotFitItsKeyIsOneLineNamingTheKey() throws Exception {
		Path database = this.dir.resolve("data/app.db");
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    monitor-interval: 1y
				    replicas:
				      - path: %s
				""".formatted(database, this.dir.resolve("backups")));
		Cli.Result result = new Cli(Map.of()).run("generations", "-config", config.toString(), database.toString());
		assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILED);
		assertThat(result.err().lines()).as(result.err()).hasSize(1);
		assertThat(result.err()).startsWith("error: litestream.dbs[0].monitor-interval: '1y' is not a duration")
			.contains("litestream.yml")
			.contains("such as 10s, 1h30m or 500ms");
	}

	@Test
	void goDurationsOfSeveralUnitsReadAsLitestreamReadsThem() throws Exception {
		Path database = this.dir.resolve("data/app.db");
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    monitor-interval: 1h30m
				    replicas:
				      - path: %s
				        retention: 1.5h
				""".formatted(database, this.dir.resolve("backups")));
		Cli.Result result = new Cli(Map.of()).run("generations", "-config", config.toString(), database.toString());
		assertThat(result.exitCode()).as(result.toString()).isZero();
	}

	@Test
	void aDurationWithoutItsUnitIsRefusedNamingTheKeyAndTheUnits() throws Exception {
		Path database = this.dir.resolve("data/app.db");
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - path: %s
				        sync-interval: 10
				""".formatted(database, this.dir.resolve("backups")));
		Cli.Result result = new Cli(Map.of()).run("generations", "-config", config.toString(), database.toString());
		assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILED);
		assertThat(result.err().lines()).as(result.err()).hasSize(1);
		assertThat(result.err()).startsWith("error: litestream.dbs[0].replicas[0].sync-interval: '10' has no unit")
			.contains("litestream.yml")
			.contains("10s, 10m or 10h");
	}

	@Test
	void noExpandEnvLeavesVariablesAlone() throws Exception {
		Path database = this.dir.resolve("data/app.db");
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - path: $BACKUP_ROOT/app
				""".formatted(database));
		Cli cli = new Cli(Map.of("BACKUP_ROOT", this.dir.resolve("backups").toString()));

		Cli.Result expanded = cli.run("snapshots", "-config", config.toString(), database.toString());
		Cli.Result literal = cli.run("snapshots", "-no-expand-env", "-config", config.toString(), database.toString());

		assertThat(expanded.out().lines()).hasSize(5);
		assertThat(literal.exitCode()).as(literal.toString()).isZero();
		assertThat(literal.out().lines()).hasSize(1);
	}

	@Test
	void noExpandEnvLeavesBracedVariablesAloneToo() throws Exception {
		Path database = this.dir.resolve("data/app.db");
		// Spring resolves ${…} from the process's environment and system properties; a system
		// property stands in for a variable the test cannot set.
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - path: ${litestream-cli-test-backups}/app
				""".formatted(database));
		System.setProperty("litestream-cli-test-backups", this.dir.resolve("backups").toString());
		try {
			Cli cli = new Cli(Map.of());
			Cli.Result expanded = cli.run("snapshots", "-config", config.toString(), database.toString());
			Cli.Result literal = cli.run("snapshots", "-no-expand-env", "-config", config.toString(),
					database.toString());

			assertThat(expanded.out().lines()).hasSize(5);
			assertThat(literal.exitCode()).as(literal.toString()).isZero();
			assertThat(literal.out().lines()).as("nothing at the literal path").hasSize(1);

			// The value arrives as written, without the escape that kept the binder off it.
			Path literalDb = Files.writeString(this.dir.resolve("literal.yml"), """
					dbs:
					  - path: /srv/${litestream-cli-test-backups}/app.db
					    replicas:
					      - path: /tmp/unused
					""");
			Cli.Result listed = cli.run("databases", "-no-expand-env", "-config", literalDb.toString());
			assertThat(listed.exitCode()).as(listed.toString()).isZero();
			assertThat(listed.out()).contains("/srv/${litestream-cli-test-backups}/app.db").doesNotContain("\\");
		}
		finally {
			System.clearProperty("litestream-cli-test-backups");
		}
	}

	@Test
	void aProfileSelectsItsDocumentsAndFiles() throws Exception {
		Path database = this.dir.resolve("data/app.db");
		Path config = Files.writeString(this.dir.resolve("application.yml"), """
				litestream:
				  dbs:
				    - path: %1$s
				      replicas:
				        - path: %2$s/empty
				---
				spring:
				  config:
				    activate:
				      on-profile: prod
				litestream:
				  dbs:
				    - path: %1$s
				      replicas:
				        - name: prod-backup
				          path: %2$s/backups/app
				""".formatted(database, this.dir));
		Files.writeString(this.dir.resolve("application-staging.properties"), """
				litestream.dbs[0].path=%s
				litestream.dbs[0].replicas[0].name=staging-backup
				litestream.dbs[0].replicas[0].path=%s/backups/app
				""".formatted(database, this.dir));
		Cli cli = new Cli();

		Cli.Result base = cli.run("databases", "-config", config.toString());
		Cli.Result prod = cli.run("databases", "-config", config.toString(), "-profile", "prod");
		Cli.Result staging = cli.run("databases", "-config", config.toString(), "-profile", "staging");
		Cli.Result restored = cli.run("restore", "-config", config.toString(), "-profile", "prod", "-o",
				this.output.toString(), database.toString());

		assertThat(base.out()).endsWith("  file\n");
		assertThat(prod.out()).endsWith("  prod-backup\n");
		assertThat(staging.out()).endsWith("  staging-backup\n");
		assertThat(restored.exitCode()).as(restored.toString()).isZero();
		assertThat(CliFixture.summary(this.output)).isEqualTo(CliFixture.expected(null));
	}

	@Test
	void aDatabasePathWithATildeIsReportedExpandedAsLitestreamReportsIt() throws Exception {
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - path: %s
				""".formatted(this.dir.resolve("app.db"), this.replica));

		Cli.Result result = new Cli().run("generations", "-config", config.toString(), "~/not-configured.db");

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(result.err()).startsWith("error: database not found in config: "
				+ Path.of(System.getProperty("user.home"), "not-configured.db") + " is not one of");
	}

	@Test
	void theConfigurationComesFromLitestreamConfigWhenNoFlagNamesIt() throws Exception {
		Path database = this.dir.resolve("app.db");
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - path: %s
				""".formatted(database, this.replica));

		Cli.Result result = new Cli(Map.of("LITESTREAM_CONFIG", config.toString())).run("snapshots",
				database.toString());

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out().lines()).hasSize(5);
	}

	@Test
	void theSidecarsOwnKeysAreReadWithoutAWordAsLitestreamsRestoreReadsThem() throws Exception {
		Path database = this.dir.resolve("app.db");
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				addr: ":9090"
				logging:
				  level: debug
				exec: java -jar app.jar
				dbs:
				  - path: %s
				    replicas:
				      - path: %s
				""".formatted(database, this.replica));

		ByteArrayOutputStream logged = new ByteArrayOutputStream();
		PrintStream standardError = System.err;
		Cli.Result result;
		// The engine's log goes to the process's standard error, not to the command's writer.
		System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
		try {
			result = new Cli().run("snapshots", "-config", config.toString(), database.toString());
		}
		finally {
			System.setErr(standardError);
		}

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out().lines()).hasSize(5);
		assertThat(logged.toString(StandardCharsets.UTF_8) + result.err()).doesNotContain("ignored")
			.doesNotContain("WARN");
	}

	@Test
	void aConfigurationErrorNamesThePropertyAndTheFix() throws Exception {
		Path database = this.dir.resolve("app.db");
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - type: file
				        path: /backups/app
				        bucket: my-bucket
				""".formatted(database));

		Cli.Result result = new Cli().run("generations", "-config", config.toString(), database.toString());

		assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILED);
		assertThat(result.err().strip().lines()).hasSize(1);
		assertThat(result.err()).contains("litestream.dbs[0].replicas[0].bucket", "is not a key of replicas of type 'file'",
				"set litestream.dbs[0].replicas[0].type to abs or gcs or s3");
	}

	@Test
	void aMissingOrUnconfiguredDatabaseOrConfigIsOneLine() throws Exception {
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s/app.db
				    replicas:
				      - path: %s
				""".formatted(this.dir, this.replica));
		Cli cli = new Cli();

		Cli.Result missingConfig = cli.run("snapshots", "-config", this.dir.resolve("nope.yml").toString(), "app.db");
		Cli.Result otherDatabase = cli.run("snapshots", "-config", config.toString(), "/elsewhere/other.db");
		Cli.Result urlAndConfig = cli.run("snapshots", "-config", config.toString(), "file://" + this.replica);
		Path broken = Files.writeString(this.dir.resolve("broken.yml"), "dbs:\n  - path: [unclosed\n");
		Cli.Result badSyntax = cli.run("snapshots", "-config", broken.toString(), "app.db");

		assertThat(missingConfig.err()).contains("config file", "not found", "-config");
		assertThat(otherDatabase.err()).contains("database not found in config: /elsewhere/other.db");
		assertThat(urlAndConfig.err()).contains("cannot specify a replica URL and the -config flag");
		assertThat(badSyntax.err()).contains("config file " + broken + " can't be read", "fix its syntax");
		for (Cli.Result result : new Cli.Result[] { missingConfig, otherDatabase, urlAndConfig, badSyntax }) {
			assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILED);
			assertThat(result.err().strip().lines()).as(result.toString()).hasSize(1);
		}
	}

	@Test
	void aReplicaUrlInAnErrorHidesItsPassword() {
		Cli.Result result = new Cli().run("generations", "sftp://backup:s3cret@nas:99999/b");
		assertThat(result.exitCode()).isNotZero();
		assertThat(result.err()).contains("sftp://backup:******@nas:99999/b").doesNotContain("s3cret");
	}

}

package io.github.litestream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without {@code -profile}, the profiles the application activates are the tool's too:
 * {@code spring.profiles.active} in the file, or {@code SPRING_PROFILES_ACTIVE}. Otherwise the
 * tool would read the base document's replica (here an empty one) while the application writes
 * the profile's, and list nothing, or restore an old backup, without a word.
 */
class ActiveProfilesTests {

	@TempDir
	Path dir;

	private Path database;

	private Path config;

	@BeforeEach
	void writeConfiguration() throws IOException {
		Path replica = CliFixture.copyWithTimes(this.dir.resolve("replica"), RestoreCommandTests.BASE);
		this.database = this.dir.resolve("data/app.db");
		Files.writeString(this.dir.resolve("application-prod.yml"), """
				litestream:
				  dbs:
				    - path: %s
				      replicas:
				        - name: prod-backup
				          path: %s
				""".formatted(this.database, replica));
		this.config = this.dir.resolve("application.yml");
	}

	@Test
	void theFilesSpringProfilesActiveCountsAsTheApplicationReadsIt() throws Exception {
		Files.writeString(this.config, """
				spring:
				  profiles:
				    active: prod
				litestream:
				  dbs:
				    - path: %s
				      replicas:
				        - name: dev-backup
				          path: %s/empty
				""".formatted(this.database, this.dir));

		Cli.Result listed = new Cli().run("snapshots", "-config", this.config.toString(), this.database.toString());
		Cli.Result base = new Cli().run("databases", "-config", this.config.toString(), "-profile", "none");

		assertThat(listed.exitCode()).as(listed.toString()).isZero();
		assertThat(listed.out().lines().skip(1)).hasSize(4).allSatisfy((row) -> assertThat(row).startsWith("prod-backup"));
		assertThat(base.out()).as("-profile wins").endsWith("  dev-backup\n");
	}

	@Test
	void aBaseDocumentThatOnlyActivatesTheProfileIsTheApplicationsToo() throws Exception {
		Files.writeString(this.config, """
				spring:
				  profiles:
				    active: prod
				""");

		Cli.Result result = new Cli().run("databases", "-config", this.config.toString());

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).endsWith("  prod-backup\n");
	}

	@Test
	void springProfilesActiveInTheEnvironmentCountsAsTheApplicationReadsIt() throws Exception {
		Files.writeString(this.config, """
				litestream:
				  dbs:
				    - path: %s
				      replicas:
				        - name: dev-backup
				          path: %s/empty
				""".formatted(this.database, this.dir));

		Cli.Result result = new Cli(Map.of("SPRING_PROFILES_ACTIVE", "prod")).run("databases", "-config",
				this.config.toString());

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).endsWith("  prod-backup\n");
	}

}

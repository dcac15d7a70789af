package io.github.litestream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.github.litestream.restore.AgeFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tool reads an age-encrypted replica written by the stock Litestream v0.3.14 CLI with the
 * identities of its configuration, as the application does, and names the problem when it
 * has none that matches.
 */
class AgeReplicaTests {

	@TempDir
	Path dir;

	@Test
	void restoresTheEncryptedFixtureWithAnIdentityFileFromTheConfiguration() throws Exception {
		Path fixture = AgeFixture.copyTo(this.dir.resolve("fixture"));
		Path database = this.dir.resolve("app.db");
		Path config = CliFixture.encryptedConfig(this.dir, database, fixture, 2);

		Cli.Result result = new Cli(Map.of()).run("restore", "-config", config.toString(), database.toString());

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(CliFixture.summary(database)).isEqualTo(CliFixture.encryptedLatest());
	}

	@Test
	void restoresTheEncryptedFixtureWithIdentitiesAloneAsARestoreNeedsNoRecipient() throws Exception {
		Path fixture = AgeFixture.copyTo(this.dir.resolve("fixture"));
		Path database = this.dir.resolve("app.db");
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - path: %s
				        age:
				          identity-files: [%s]
				""".formatted(database, fixture.resolve("replica"), fixture.resolve("identity-1.txt")));

		Cli.Result result = new Cli(Map.of()).run("restore", "-config", config.toString(), database.toString());

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(CliFixture.summary(database)).isEqualTo(CliFixture.encryptedLatest());
	}

	@Test
	void withoutIdentitiesTheRestoreFailsInOneLineAndWritesNothing() throws Exception {
		Path fixture = AgeFixture.copyTo(this.dir.resolve("fixture"));
		Path database = this.dir.resolve("app.db");
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - path: %s
				""".formatted(database, fixture.resolve("replica")));

		Cli.Result result = new Cli(Map.of()).run("restore", "-config", config.toString(), database.toString());

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
		assertThat(result.err()).contains("age");
		assertThat(database).doesNotExist();
	}

	@Test
	void fromAReplicaUrlTheFailureSaysWhereTheIdentityGoes() throws Exception {
		Path fixture = AgeFixture.copyTo(this.dir.resolve("fixture"));
		Path output = this.dir.resolve("app.db");

		Cli.Result result = new Cli(Map.of()).run("restore", "-o", output.toString(),
				"file://" + fixture.resolve("replica"));

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
		assertThat(result.err()).contains("no age identity is configured")
			.contains("a replica URL carries no age keys: pass -config with a file that configures this replica "
					+ "with its age.identities or age.identity-files");
		assertThat(output).doesNotExist();
	}

}

package io.github.litestream.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A database configured without any replica has nothing to verify or restore: {@code verify}
 * must not exit 0 with an empty table (a cron job alerting on its exit code would never alert),
 * and {@code restore} names the missing replicas rather than an empty list of them.
 */
class NoReplicaTests {

	@TempDir
	Path dir;

	private Path database;

	private Path config;

	@BeforeEach
	void writeConfiguration() throws Exception {
		this.database = this.dir.resolve("app.db");
		this.config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				""".formatted(this.database));
	}

	@Test
	void verifyFails() {
		Cli.Result result = new Cli().run("verify", "-config", this.config.toString(), this.database.toString());

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(result.err()).contains("error: " + this.database + " has no replica in " + this.config,
				"nothing to verify", "replicas");
		assertThat(result.out()).isEmpty();
	}

	@Test
	void restoreNamesTheMissingReplicas() {
		Cli.Result result = new Cli().run("restore", "-config", this.config.toString(), this.database.toString());

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(result.err()).contains("error: " + this.database + " has no replica in " + this.config,
				"nothing to restore").doesNotContain("replica(s) :");
		assertThat(this.database).doesNotExist();
	}

	@Test
	void restoreWithIfReplicaExistsExitsZeroAsLitestreamDoes() {
		Cli.Result result = new Cli().run("restore", "-if-replica-exists", "-config", this.config.toString(),
				this.database.toString());

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.err()).contains("no matching backups found: " + this.database + " has no replica");
		assertThat(this.database).doesNotExist();
	}

}

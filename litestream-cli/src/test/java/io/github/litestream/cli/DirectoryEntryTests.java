package io.github.litestream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A database of a {@code dir} entry (a tenant) is found by its path, with the entry's replicas
 * below the tenant's relative path, as the application replicates it.
 */
class DirectoryEntryTests {

	@TempDir
	Path dir;

	@Test
	void aTenantOfADirEntryIsRestoredByItsPath() throws Exception {
		Path replicas = this.dir.resolve("replicas");
		CliFixture.copyWithTimes(replicas.resolve("a.db"), Instant.parse("2026-11-30T02:00:00Z"));
		Path data = Files.createDirectories(this.dir.resolve("tenants"));
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - dir: %s
				    pattern: "*.db"
				    replicas:
				      - path: %s
				""".formatted(data, replicas));
		Path tenant = data.resolve("a.db");

		Cli.Result result = new Cli(Map.of()).run("restore", "-config", config.toString(), tenant.toString());

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(CliFixture.summary(tenant)).isEqualTo(CliFixture.expected(null));
	}

	@Test
	void aFileTheDirEntryDoesNotHoldIsNotFound() throws Exception {
		Path data = Files.createDirectories(this.dir.resolve("tenants"));
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - dir: %s
				    pattern: "*.db"
				    replicas:
				      - path: %s
				""".formatted(data, this.dir.resolve("replicas")));

		Cli.Result result = new Cli(Map.of()).run("restore", "-config", config.toString(),
				data.resolve("notes.txt").toString());

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
		assertThat(result.err()).contains("database not found in config");
	}

}

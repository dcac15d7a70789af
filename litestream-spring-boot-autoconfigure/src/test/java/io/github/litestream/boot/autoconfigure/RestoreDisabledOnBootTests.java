package io.github.litestream.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;

import io.github.litestream.restore.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code restore.enabled=false} a missing file starts empty, as asked; when a replica holds
 * a backup that the new generation then leaves behind, startup says so, naming the backup and the
 * property, rather than letting a deploy that forgot to restore go unnoticed.
 */
@ExtendWith(OutputCaptureExtension.class)
class RestoreDisabledOnBootTests {

	private static final String LEFT_BEHIND = "restore.enabled is false, so it starts empty";

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class));

	@Test
	void aMissingFileStartsEmptyAndTheBackupItLeavesBehindIsNamed(CapturedOutput output) throws Exception {
		Path empty = Files.createDirectories(this.dir.resolve("empty"));
		Path full = Fixture.copyReplica(this.dir.resolve("full"));
		Path db = this.dir.resolve("data/app.db");
		this.runner.withPropertyValues(properties(db, "empty", empty, "full", full))
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(tables(db)).as("the fixture's table t is not restored").doesNotContain("t");
		assertThat(output.getOut()).containsOnlyOnce(db + " is missing and litestream.dbs[0]." + LEFT_BEHIND
				+ ", although replica 'full' holds a backup of it, at ")
			.contains("(generation " + Fixture.GENERATION + ", index 00000028); the new generation is what restores")
			.contains("Set litestream.dbs[0].restore.enabled=true to start from the backup");
	}

	@Test
	void nothingIsSaidWhenNoReplicaHoldsABackup(CapturedOutput output) throws Exception {
		Path empty = Files.createDirectories(this.dir.resolve("empty"));
		Path db = this.dir.resolve("data/app.db");
		this.runner.withPropertyValues(properties(db, "empty", empty))
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).doesNotContain(LEFT_BEHIND);
	}

	@Test
	void anExistingFileIsNotComparedWithTheBackups(CapturedOutput output) throws Exception {
		Path full = Fixture.copyReplica(this.dir.resolve("full"));
		Path db = Files.createDirectories(this.dir.resolve("data")).resolve("app.db");
		Files.createFile(db);
		this.runner.withPropertyValues(properties(db, "full", full))
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).doesNotContain(LEFT_BEHIND);
	}

	@Test
	void aReplicaThatCannotBeListedDoesNotStopTheStart(CapturedOutput output) throws Exception {
		Path broken = Files.createDirectories(this.dir.resolve("broken"));
		// A file where the generations directory belongs: listing it fails.
		Files.writeString(broken.resolve("generations"), "not a directory");
		Path full = Fixture.copyReplica(this.dir.resolve("full"));
		Path db = this.dir.resolve("data/app.db");
		this.runner.withPropertyValues(properties(db, "broken", broken, "full", full))
			.run((context) -> assertThat(context).hasNotFailed());
		assertThat(output).contains("although replica 'full' holds a backup of it");
	}

	private static List<String> tables(Path db) throws Exception {
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db)) {
			return new JdbcTemplate(new SingleConnectionDataSource(connection, true))
				.queryForList("SELECT name FROM sqlite_master WHERE type = 'table'", String.class);
		}
	}

	private static String[] properties(Path db, Object... namesAndPaths) {
		String[] properties = new String[2 + namesAndPaths.length];
		properties[0] = "litestream.dbs[0].path=" + db;
		properties[1] = "litestream.dbs[0].restore.enabled=false";
		for (int i = 0; i < namesAndPaths.length; i += 2) {
			String replica = "litestream.dbs[0].replicas[" + (i / 2) + "].";
			properties[2 + i] = replica + "name=" + namesAndPaths[i];
			properties[3 + i] = replica + "path=" + namesAndPaths[i + 1];
		}
		return properties;
	}

}

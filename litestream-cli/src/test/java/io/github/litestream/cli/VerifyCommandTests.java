package io.github.litestream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import io.github.litestream.AppDatabase;
import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code verify} on a replica the engine wrote while an application committed: the backup
 * restores, passes {@code integrity_check} and equals the live database; rows the replica
 * never received, and a damaged snapshot, make it exit 3, and it writes nothing outside its
 * temporary directory.
 */
class VerifyCommandTests {

	@TempDir
	Path dir;

	private Path database;

	private Path config;

	private long rows;

	@BeforeEach
	void replicate() throws Exception {
		this.database = this.dir.resolve("data/app.db");
		Files.createDirectories(this.database.getParent());
		Path replica = this.dir.resolve("backups/app");
		try (Litestream litestream = new Litestream(); AppDatabase app = new AppDatabase(this.database)) {
			litestream.addDatabase(DatabaseOptions.defaults(this.database), List
				.of(new ReplicationTarget(new FileReplicaClient(replica), ReplicaOptions.defaults("backup"))));
			litestream.start();
			this.rows = app.insert(200);
			assertThat(litestream.stop(Duration.ofSeconds(30))).as("the final flush finished").isTrue();
		}
		this.config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - name: backup
				        path: %s
				""".formatted(this.database, replica));
	}

	@Test
	void aGoodBackupRestoresPassesTheCheckAndEqualsTheLiveDatabase() throws Exception {
		List<Path> before = Files.walk(this.dir).sorted().toList();

		Cli.Result result = new Cli().run("verify", "-config", this.config.toString(), this.database.toString());

		assertThat(result.exitCode()).as(result.toString()).isZero();
		String[] row = result.out().lines().toList().get(1).split(" +");
		assertThat(row[0]).isEqualTo("backup");
		assertThat(row[3]).isEqualTo("ok");
		assertThat(row[4]).isEqualTo("equal");
		assertThat(Files.walk(this.dir).sorted().toList()).isEqualTo(before);
	}

	@Test
	void rowsTheReplicaNeverReceivedMakeItDiffer() throws Exception {
		try (AppDatabase app = new AppDatabase(this.database)) {
			app.insert(3);
		}

		Cli.Result result = new Cli().run("verify", "--json", "-config", this.config.toString(), this.database.toString());

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.VERIFY_FAILED);
		assertThat(result.out()).contains("\"integrity\": \"ok\"",
				"\"live\": \"differs: table t has " + (this.rows + 3) + " rows live, " + this.rows + " in the backup\"");
	}

	@Test
	void aDamagedSnapshotFailsTheCheck() throws Exception {
		Path snapshots = Files.list(this.dir.resolve("backups/app/generations")).findFirst().orElseThrow()
			.resolve("snapshots");
		Path snapshot = Files.list(snapshots).sorted().toList().get(0);
		Files.write(snapshot, new byte[] { 1, 2, 3 }, StandardOpenOption.TRUNCATE_EXISTING);

		Cli.Result result = new Cli().run("verify", "-config", this.config.toString(), this.database.toString());

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.VERIFY_FAILED);
		assertThat(result.out().lines().toList().get(1).split(" +")).containsExactly("backup", "-", "-", "failed", "-");
		assertThat(result.err()).startsWith("error: replica 'backup' failed verification: ").contains("snapshot");
	}

	@Test
	void aReplicaWithoutBackupNamesItsLocationNotTheApplicationsSetting() throws Exception {
		Path config = Files.writeString(this.dir.resolve("empty.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - name: empty
				        path: %s
				""".formatted(this.database, this.dir.resolve("nothing-here")));

		Cli.Result result = new Cli().run("verify", "-config", config.toString(), this.database.toString());

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.VERIFY_FAILED);
		assertThat(result.out().lines().toList().get(1).split(" +")).containsExactly("empty", "-", "-", "failed", "-");
		assertThat(result.err()).startsWith("error: replica 'empty' holds no backup")
			.contains(this.dir.resolve("nothing-here").toString(), "'generations'")
			.doesNotContain("if-replica-exists", "litestream-verify-");
	}

	@Test
	void withoutALiveDatabaseOnlyTheBackupIsChecked() throws Exception {
		Path elsewhere = this.dir.resolve("elsewhere.db");
		Files.move(this.database, elsewhere);

		Cli.Result result = new Cli().run("verify", "-config", this.config.toString(), this.database.toString());
		Cli.Result withLive = new Cli().run("verify", "-live", elsewhere.toString(), "-config", this.config.toString(),
				this.database.toString());

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out().lines().toList().get(1)).endsWith("ok         -");
		assertThat(withLive.exitCode()).as(withLive.toString()).isZero();
		assertThat(withLive.out().lines().toList().get(1)).endsWith("equal");
		assertThat(this.database).doesNotExist();
	}

}

package io.github.litestream.restore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.litestream.ChildJvm;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How a restore puts its result in place: never over a file that appeared meanwhile, one at a
 * time per output (a second one fails and leaves the first one's files alone), and not leaving
 * the temporary files of a killed restore behind for good.
 */
class RestoreInstallTests {

	@TempDir
	Path temp;

	@Test
	void aRestoreInAnotherProcessIsLeftAloneUntilKilledThenItsFilesAreRemovedByTheNextRestore() throws Exception {
		Path replica = Fixture.copyReplica(this.temp.resolve("replica"));
		Path dir = Files.createDirectories(this.temp.resolve("out"));
		Path output = dir.resolve("app.db");
		Process child = ChildJvm.start(KilledRestore.class, List.of("-Xmx64m"), replica.toString(), output.toString());
		try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
			assertThat(out.lines().filter("stalled"::equals).findFirst()).as("the child reached the stall").isPresent();
			List<Path> running = temporaryDatabases(dir);
			assertThat(running).as("the stalled restore's temporary database").hasSize(1);

			assertThatExceptionOfType(RestoreException.class)
				.isThrownBy(() -> new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(output)))
				.withMessageContaining("another restore of it is running (process " + child.pid() + " holds")
				.withMessageContaining("restore to another path");
			assertThat(LeftoverRestoreFiles.remove(output)).as("a cleanup on boot while it runs").isEmpty();
			assertThat(temporaryDatabases(dir)).as("the running restore's database").isEqualTo(running);
		}
		finally {
			child.destroyForcibly();
			child.waitFor(30, TimeUnit.SECONDS);
		}
		assertThat(hiddenFiles(dir)).as("what SIGKILL left").isNotEmpty();
		assertThat(output).doesNotExist();

		new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(output));

		assertThat(hiddenFiles(dir)).isEmpty();
		assertThat(RestoredDatabase.summary(output, null)).isEqualTo(Fixture.expected().stream()
			.filter((row) -> row.index() == null)
			.findFirst()
			.orElseThrow());
	}

	@Test
	void aSecondRestoreOfTheSameOutputInThisProcessFailsAndTheFirstOneFinishes() throws Exception {
		Path replica = Fixture.copyReplica(this.temp.resolve("replica"));
		Path dir = Files.createDirectories(this.temp.resolve("out"));
		Path output = dir.resolve("app.db");
		CountDownLatch stalled = new CountDownLatch(1);
		CountDownLatch resume = new CountDownLatch(1);
		StallingReplicaClient client = new StallingReplicaClient(new FileReplicaClient(replica), (pos) -> {
			if (pos.index() == 0x25 && stalled.getCount() > 0) {
				stalled.countDown();
				await(resume);
			}
		});
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			Future<RestoreResult> first = executor
				.submit(() -> new Restorer().restore(client, RestoreOptions.latest(output).withParallelism(1)));
			assertThat(stalled.await(60, TimeUnit.SECONDS)).as("the first restore reached index 25").isTrue();
			List<Path> running = temporaryDatabases(dir);
			assertThat(running).as("the first restore's temporary database").hasSize(1);

			assertThatExceptionOfType(RestoreException.class)
				.isThrownBy(() -> new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(output)))
				.withMessageContaining("Cannot restore to " + output)
				.withMessageContaining("another restore of it is running (this process holds");
			assertThat(LeftoverRestoreFiles.remove(output)).isEmpty();
			assertThat(temporaryDatabases(dir)).isEqualTo(running);

			resume.countDown();
			assertThat(first.get(60, TimeUnit.SECONDS).restored()).isTrue();
		}
		finally {
			resume.countDown();
			executor.shutdownNow();
		}
		assertThat(RestoredDatabase.summary(output, null)).isEqualTo(Fixture.expected().stream()
			.filter((row) -> row.index() == null)
			.findFirst()
			.orElseThrow());
		assertThat(hiddenFiles(dir)).as("the lock file is gone too").isEmpty();
	}

	private static void await(CountDownLatch latch) throws IOException {
		try {
			if (!latch.await(60, TimeUnit.SECONDS)) {
				throw new IOException("not resumed");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

	@Test
	void aDatabaseThatAppearsDuringTheRestoreIsKept() throws Exception {
		Path replica = Fixture.copyReplica(this.temp.resolve("replica"));
		Path dir = Files.createDirectories(this.temp.resolve("out"));
		Path output = dir.resolve("app.db");
		Path wal = dir.resolve("app.db-wal");
		StallingReplicaClient client = new StallingReplicaClient(new FileReplicaClient(replica), (pos) -> {
			if (pos.index() == 0x25 && !Files.exists(output)) {
				// Another process creates the database while the restore is still applying WAL.
				Files.writeString(output, "created meanwhile");
				Files.writeString(wal, "its wal");
			}
		});
		assertThatExceptionOfType(RestoreException.class)
			.isThrownBy(() -> new Restorer().restore(client, RestoreOptions.latest(output).withParallelism(1)))
			.withMessageContaining(output.toString())
			.withMessageContaining("appeared while restoring");
		assertThat(output).hasContent("created meanwhile");
		assertThat(wal).hasContent("its wal");
		assertThat(hiddenFiles(dir)).isEmpty();
	}

	@Test
	void aRestoreWhoseFilesASecondRestoreRemovedFailsAndInstallsNothing() throws Exception {
		Path replica = Fixture.copyReplica(this.temp.resolve("replica"));
		Path dir = Files.createDirectories(this.temp.resolve("out"));
		Path output = dir.resolve("app.db");
		boolean[] removed = new boolean[1];
		StallingReplicaClient client = new StallingReplicaClient(new FileReplicaClient(replica), (pos) -> {
			if (pos.index() == 0x28 && !removed[0]) {
				// A second restore of the same database clears the first one's files: its database
				// file while this one still writes to it.
				removed[0] = true;
				try (Stream<Path> files = Files.list(dir)) {
					for (Path file : files.toList()) {
						String name = file.getFileName().toString();
						if (name.startsWith(".app.db-restore-") && name.endsWith(".db")) {
							Files.delete(file);
						}
					}
				}
			}
		});
		assertThatExceptionOfType(RestoreException.class)
			.isThrownBy(() -> new Restorer().restore(client, RestoreOptions.latest(output).withParallelism(1)))
			.withMessageContaining("was removed while restoring");
		assertThat(removed[0]).isTrue();
		assertThat(output).as("no empty or partial database installed").doesNotExist();
	}

	@Test
	void aHotRollbackJournalLeftBesideTheDatabaseIsNotPlayedBackIntoTheRestoredFile() throws Exception {
		Path replica = Fixture.copyReplica(this.temp.resolve("replica"));
		Path dir = Files.createDirectories(this.temp.resolve("out"));
		Path output = dir.resolve("app.db");
		// A journal of a transaction in progress (a process killed in rollback-journal mode, before
		// the database was deleted): hot, so SQLite would play it back into any file of that name.
		Path old = this.temp.resolve("old.db");
		try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + old);
				Statement sql = writer.createStatement()) {
			sql.execute("PRAGMA journal_mode=DELETE");
			sql.execute("PRAGMA cache_size=2");
			sql.execute("CREATE TABLE filler (b BLOB)");
			sql.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
					+ "INSERT INTO filler SELECT randomblob(3000) FROM n");
			sql.execute("BEGIN");
			sql.execute("UPDATE filler SET b = randomblob(3000)");
			Files.copy(this.temp.resolve("old.db-journal"), dir.resolve("app.db-journal"));
			sql.execute("ROLLBACK");
		}
		byte[] journal = Files.readAllBytes(dir.resolve("app.db-journal"));
		assertThat(journal).isNotEmpty();
		new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(output));
		assertThat(RestoredDatabase.summary(output, null)).isEqualTo(Fixture.expected().stream()
			.filter((row) -> row.index() == null)
			.findFirst()
			.orElseThrow());
		assertThat(dir.resolve("app.db-journal")).doesNotExist();
		try (Stream<Path> files = Files.list(dir)) {
			assertThat(files.filter((file) -> file.getFileName().toString().startsWith("app.db-journal.orphaned-")))
				.as("kept, not deleted: it may hold a lost database's last transaction")
				.singleElement()
				.satisfies((kept) -> assertThat(Files.readAllBytes(kept)).isEqualTo(journal));
		}
	}

	@Test
	void leftoversAreRemovedEvenWhenTheDatabaseExists() throws Exception {
		Path dir = Files.createDirectories(this.temp.resolve("out"));
		Path output = dir.resolve("app.db");
		Files.writeString(output, "precious");
		Path leftover = Files.writeString(dir.resolve(".app.db-restore-" + UUID.randomUUID() + ".db"), "half a restore");
		Path other = Files.writeString(dir.resolve(".other.db-restore-" + UUID.randomUUID() + ".db"),
				"another database's restore");
		RestoreResult result = new Restorer().restore(new FileReplicaClient(Fixture.replica()),
				RestoreOptions.latest(output).withConditions(true, false));
		assertThat(result.restored()).isFalse();
		assertThat(leftover).doesNotExist();
		assertThat(other).exists();
		assertThat(output).hasContent("precious");
	}

	@Test
	void onlyTheFilesThatRestoresToTheOutputCreateAreRemovedNotThoseOfAnotherOutputNamedAlike() throws Exception {
		Path dir = Files.createDirectories(this.temp.resolve("out"));
		Path output = dir.resolve("app.db");
		String id = UUID.randomUUID().toString();
		List<Path> leftovers = new ArrayList<>();
		for (String suffix : List.of(".db", ".db-wal", ".db-shm", ".db-journal", ".db.stale-wal", ".db.00000003.wal",
				".db.last.wal")) {
			leftovers.add(dir.resolve(".app.db-restore-" + id + suffix));
			// A follower's full restore builds its temporary database the same way.
			leftovers.add(dir.resolve("..app.db-restore-follow.db-restore-" + id + suffix));
		}
		leftovers.add(LeftoverRestoreFiles.lastWal(output));
		leftovers.add(LatestState.workFile(output, 3));
		leftovers.add(dir.resolve(".app.db-restore-follow.db"));
		leftovers.add(dir.resolve(".app.db-restore-follow-last.wal"));
		// Another output whose name begins with this one's, whose restore or follower may be running.
		Path alike = dir.resolve("app.db-restore-y");
		List<Path> kept = new ArrayList<>(List.of(dir.resolve(".app.db-restore-y-restore-" + id + ".db"),
				LeftoverRestoreFiles.lastWal(alike), LatestState.workFile(alike, 3),
				dir.resolve(".app.db-restore-y-restore-follow.db"), dir.resolve(".app.db2-restore-" + id + ".db"),
				dir.resolve(".app.db-restore-notes.txt"), dir.resolve(".app.db-restore-" + id + ".db.bak")));
		for (Path file : leftovers) {
			Files.writeString(file, "left by a killed restore");
		}
		for (Path file : kept) {
			Files.writeString(file, "not ours");
		}

		assertThat(LeftoverRestoreFiles.remove(output)).containsExactlyInAnyOrderElementsOf(leftovers);

		assertThat(hiddenFiles(dir)).containsExactlyInAnyOrderElementsOf(kept);
	}

	/** The file a running restore builds the database in: removing it would lose its work. */
	private static List<Path> temporaryDatabases(Path dir) throws IOException {
		try (Stream<Path> files = Files.list(dir)) {
			return files.filter((file) -> file.getFileName().toString().matches("\\.app\\.db-restore-[0-9a-f-]+\\.db"))
				.toList();
		}
	}

	private static List<Path> hiddenFiles(Path dir) throws IOException {
		try (Stream<Path> files = Files.list(dir)) {
			return files.filter((file) -> file.getFileName().toString().startsWith(".")).toList();
		}
	}

}

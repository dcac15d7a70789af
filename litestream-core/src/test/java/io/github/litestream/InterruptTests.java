package io.github.litestream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.DatabaseListener;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaListener;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.ReplicaStatus.ValidationResult;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.ReplicaValidator;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import io.github.litestream.sqlite.WalHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Interrupts on the threads that read the database file, its WAL and the shadow WAL. An
 * interrupt closes a {@code FileChannel} in use, and closing any descriptor on the database
 * file drops every POSIX lock the process holds on it: an outside {@code sqlite3} that then
 * exits believes it is the last connection, checkpoints and deletes the live WAL under the
 * application. After each interrupt below, the engine must keep working and an outside process
 * must leave the WAL alone.
 */
class InterruptTests {

	@TempDir
	Path dir;

	private Path dbPath;

	private Path walPath;

	private AppDatabase app;

	private ReplicatedDatabase database;

	private Replica replica;

	private Litestream litestream;

	@BeforeEach
	void createDatabase() throws Exception {
		this.dbPath = this.dir.resolve("app.db");
		this.walPath = this.dir.resolve("app.db-wal");
		this.app = new AppDatabase(this.dbPath);
		this.app.insert(50);
	}

	@AfterEach
	void close() throws Exception {
		Thread.interrupted();
		if (this.litestream != null) {
			this.litestream.close();
		}
		else if (this.database != null) {
			this.database.close();
		}
		this.app.close();
	}

	/** Where an engine thread reads a file, and how an interrupt reaches it there. */
	enum CallSite {

		/** Streams the database file: the interrupt is pending when it starts. */
		SNAPSHOT,

		/** Copies the WAL into the shadow WAL. */
		SYNC,

		/** Checksums the database file right after the checkpoint that starts a new index. */
		VALIDATE,

		/** Reads the shadow WAL to ship it. */
		SHIP

	}

	@ParameterizedTest
	@EnumSource(CallSite.class)
	void anInterruptedEngineCallLeavesTheDatabaseDescriptorAndLocksAlone(CallSite site) throws Exception {
		AtomicBoolean interruptAfterCheckpoint = new AtomicBoolean();
		this.database = new ReplicatedDatabase(DatabaseOptions.defaults(this.dbPath));
		this.database.addListener(new DatabaseListener() {
			@Override
			public void onCheckpoint(CheckpointMode mode, Duration duration) {
				if (interruptAfterCheckpoint.getAndSet(false)) {
					Thread.currentThread().interrupt();
				}
			}
		});
		this.database.open();
		this.replica = new Replica(this.database, new FileReplicaClient(this.dir.resolve("replica")),
				ReplicaOptions.defaults("file"));
		this.replica.sync();
		this.app.insert(20);
		this.database.sync();
		try {
			switch (site) {
				case SNAPSHOT -> {
					Thread.currentThread().interrupt();
					this.database.snapshot((pos, in) -> in.transferTo(OutputStream.nullOutputStream()));
				}
				case SYNC -> {
					this.app.insert(5);
					Thread.currentThread().interrupt();
					assertThat(this.database.sync()).as("the interrupted sync copied the new frames").isPositive();
				}
				case VALIDATE -> {
					interruptAfterCheckpoint.set(true);
					new ReplicaValidator(Clock.systemUTC()).validate(this.replica);
				}
				case SHIP -> {
					Thread.currentThread().interrupt();
					this.replica.sync();
				}
			}
		}
		catch (IOException ex) {
			// One failed call is acceptable (but for the WAL copy, which reads files only through
			// descriptors that ignore interrupts); what matters is what it leaves behind.
			if (site == CallSite.SYNC) {
				throw ex;
			}
		}
		finally {
			Thread.interrupted();
		}
		this.app.insert(10);
		this.database.sync();
		this.replica.sync();
		this.replica.snapshot();
		assertOutsideProcessLeavesTheWalAlone();
		this.database.sync();
		this.replica.sync();
		assertRestoreEqualsTheDatabase();
	}

	@Test
	void aShutdownThatTimesOutWhileASnapshotReadsTheDatabaseInterruptsNothing() throws Exception {
		// Larger than one LZ4 block (4 MiB), so the upload reads the database file again after it stalls.
		this.app.execute("CREATE TABLE big (b BLOB)");
		this.app.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6) "
				+ "INSERT INTO big SELECT randomblob(1048576) FROM n");
		this.app.execute("PRAGMA wal_checkpoint(TRUNCATE)");
		SlowSnapshotClient client = new SlowSnapshotClient(new FileReplicaClient(this.dir.resolve("replica")));
		this.litestream = new Litestream();
		this.database = this.litestream.addDatabase(
				DatabaseOptions.defaults(this.dbPath).withMonitorInterval(Duration.ofMillis(50)),
				List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(50)))));
		// Other tests in this JVM may leave threads of the same name behind: watch only ours.
		Set<Thread> earlier = Set.copyOf(Thread.getAllStackTraces().keySet());
		this.litestream.start();
		assertThat(client.awaitStarted()).as("the replica thread is streaming the database file").isTrue();
		assertThat(this.litestream.stop(Duration.ofMillis(200))).as("the flush cannot finish in time").isFalse();
		client.release();
		Throwable snapshotFailure = client.firstSnapshot.get(1, TimeUnit.MINUTES);
		assertOutsideProcessLeavesTheWalAlone();
		assertThat(snapshotFailure).as("the snapshot it was taking completes").isNull();
		this.replica = this.litestream.replicas(this.database).get(0);
		this.database.sync();
		this.replica.snapshot();
		this.database.sync();
		this.replica.sync();
		assertRestoreEqualsTheDatabase();
		// The replica's thread outlives stop (it ships what is committed until close), not close.
		this.litestream.close();
		await().atMost(Duration.ofMinutes(1)).until(() -> Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> !earlier.contains(thread))
			.noneMatch((thread) -> thread.getName().startsWith("litestream-replica-app.db")));
	}

	@Test
	void interruptingTheEngineThreadsWhileTheyWorkLeavesTheDatabaseAlone() throws Exception {
		Path replicaRoot = this.dir.resolve("replica");
		this.litestream = new Litestream(Clock.systemUTC(), new ReplicaValidator(Clock.systemUTC())::validate);
		this.database = this.litestream.addDatabase(
				DatabaseOptions.defaults(this.dbPath)
					.withMonitorInterval(Duration.ofMillis(10))
					.withCheckpoints(Duration.ofMillis(200), 32, 256),
				List.of(new ReplicationTarget(new FileReplicaClient(replicaRoot),
						ReplicaOptions.defaults("file")
							.withSyncInterval(Duration.ofMillis(20))
							.withSnapshotInterval(Duration.ofMillis(100))
							.withValidationInterval(Duration.ofMillis(300)))));
		AtomicInteger snapshots = new AtomicInteger();
		AtomicInteger validations = new AtomicInteger();
		List<String> mismatches = new CopyOnWriteArrayList<>();
		this.litestream.replicas(this.database).get(0).addListener(new ReplicaListener() {
			@Override
			public void onSnapshot(SnapshotInfo snapshot, Duration duration) {
				snapshots.incrementAndGet();
			}

			@Override
			public void onValidation(ValidationResult result) {
				validations.incrementAndGet();
				if (!result.matched()) {
					mismatches.add(result.detail());
				}
			}
		});
		this.litestream.start();
		AtomicInteger rounds = new AtomicInteger();
		// Writes, snapshots, checkpoints and validations run while every engine thread is
		// interrupted again and again, at whatever it is doing.
		await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(5)).until(() -> {
			this.app.insert(3);
			Thread.getAllStackTraces()
				.keySet()
				.stream()
				.filter((thread) -> thread.getName().startsWith("litestream-"))
				.forEach(Thread::interrupt);
			return rounds.incrementAndGet() >= 400;
		});
		// Then the engine catches up on its own: nothing it needs was closed.
		Replica replica = this.litestream.replicas(this.database).get(0);
		await().atMost(Duration.ofMinutes(1)).until(() -> validations.get() >= 1 && snapshots.get() >= 2
				&& replica.position().equals(this.database.position()));
		assertThat(mismatches).as("validations that found the replica different").isEmpty();
		assertThat(this.litestream.stop(Duration.ofSeconds(30))).as("the final flush reaches the replica").isTrue();
		this.replica = this.litestream.replicas(this.database).get(0);
		assertRestoreEqualsTheDatabase();
		assertOutsideProcessLeavesTheWalAlone();
	}

	/**
	 * An operator's {@code sqlite3} opens the database, reads and exits: the WAL stays as it is,
	 * and what the application commits afterwards still reaches the database others see.
	 */
	private void assertOutsideProcessLeavesTheWalAlone() throws Exception {
		byte[] wal = Files.readAllBytes(this.walPath);
		assertThat(wal.length).as("the WAL holds frames").isGreaterThan(WalHeader.SIZE);
		assertThat(OutsideSqlite3.countRows(this.dbPath)).isEqualTo(this.app.lastSeq());
		assertThat(this.walPath).as("the live WAL survives the outside process").exists();
		assertThat(Files.readAllBytes(this.walPath)).as("the outside process did not checkpoint the WAL")
			.isEqualTo(wal);
		this.app.insert(10);
		assertThat(OutsideSqlite3.countRows(this.dbPath)).as("the application's later commits are visible")
			.isEqualTo(this.app.lastSeq());
	}

	private void assertRestoreEqualsTheDatabase() throws Exception {
		assertThat(this.replica.position()).isEqualTo(this.database.position());
		Path out = this.dir.resolve("restored.db");
		new Restorer().restore(this.replica.client(), RestoreOptions.latest(out));
		AppDatabase.Summary restored = AppDatabase.summarize(out);
		assertThat(restored.integrity()).isEqualTo("ok");
		assertThat(restored).isEqualTo(this.app.summary());
	}

}

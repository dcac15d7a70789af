package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseFencedException;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * A database file that another instance's replication left behind, replicated by an engine
 * that could not compare it with the replica before it started (the store did not answer; a
 * database registered while the engine runs): the first instance writes and stops, a second
 * one restores the replica, commits and stops, and the first restarts on its own, older file.
 * Its engine must compare the file with the replica when it first takes the lease, before any
 * upload: a stale file is never replicated (the replica keeps restoring the second instance's
 * last state), its lease is given back, and the file is left as it is; a file that is not
 * behind replicates as before. Real SQLite files, a real file replica, real engines.
 */
class StaleFileAtFirstLeaseTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(1));

	private static final Duration SYNC = Duration.ofMillis(100);

	@TempDir
	Path dir;

	private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

	@AfterEach
	void closeAll() throws Exception {
		for (int i = this.open.size() - 1; i >= 0; i--) {
			this.open.get(i).close();
		}
	}

	@Test
	void aStaleFileWhoseStoreDidNotAnswerAtStartIsNeverReplicatedOnceItDoes() throws Exception {
		Path first = this.dir.resolve("first.db");
		writeAndStop(first, 10);
		// The second instance continues the first one's generation: the file is behind within it.
		AppDatabase.Summary secondsLastState = restoreWriteAndStop(this.dir.resolve("second.db"), 5, true);
		Map<String, Long> replicated = objects();

		UnreachableStore store = new UnreachableStore(new FileReplicaClient(replica()), true);
		AppDatabase app = app(first);
		Litestream engine = engine(first, store);
		// As restore-on-boot does when the store did not answer at boot.
		engine.checkFile(engine.databases().get(0), FileCheck.BEFORE_FIRST_WRITE);
		List<LeaseStatus> told = new CopyOnWriteArrayList<>();
		engine.addLeaseListener((database, replica, status) -> told.add(status));
		engine.start();
		app.insert(3);
		store.down.set(false);

		// The engine takes the lease once the store answers...
		await().atMost(Duration.ofSeconds(30)).until(() -> storedLease().holder().equals(engine.leaseHolder()));
		// ...and uploads nothing: before the fix, the file was replicated as a new generation.
		await().during(SYNC.multipliedBy(10)).atMost(Duration.ofSeconds(30)).until(() -> objects().equals(replicated));
		ReplicatedDatabase database = engine.databases().get(0);
		StaleFile stale = engine.staleFile(database).orElseThrow();
		assertThat(stale.database()).isEqualTo(first.toAbsolutePath().normalize());
		assertThat(stale.replica()).isEqualTo("file");
		assertThat(stale.reason()).contains("another instance held the lease of replica 'file'")
			.contains("behind the replica's newest backup")
			.contains("written after");
		assertThat(stale.fix()).contains("restore-on-boot").contains("-litestream directory");
		// Given back for the instance with the newest state; readiness is told.
		await().atMost(Duration.ofSeconds(30)).until(() -> storedLease().released() && !told.isEmpty());

		// A sync asked for now is refused, and so is the final flush.
		Throwable refused = catchThrowable(() -> engine.syncNow(engine.replicas(database).get(0)).get());
		assertThat(refused).hasCauseInstanceOf(LeaseFencedException.class);
		engine.stop(Duration.ofSeconds(2));
		assertThat(objects()).isEqualTo(replicated);
		assertThat(restored()).as("the replica restores the second instance's last state").isEqualTo(secondsLastState);
		assertThat(AppDatabase.summarize(first).count()).as("the stale file is left as it is").isEqualTo(13);
		try (Stream<Path> files = Files.list(this.dir)) {
			assertThat(files.map((file) -> file.getFileName().toString())).noneMatch((name) -> name.contains("diverged"));
		}
	}

	@Test
	void aFileThatIsNotBehindReplicatesOnceTheStoreAnswers() throws Exception {
		Path first = this.dir.resolve("first.db");
		writeAndStop(first, 10);

		UnreachableStore store = new UnreachableStore(new FileReplicaClient(replica()), true);
		AppDatabase app = app(first);
		Litestream engine = engine(first, store);
		// As restore-on-boot does when the store did not answer at boot.
		engine.checkFile(engine.databases().get(0), FileCheck.BEFORE_FIRST_WRITE);
		engine.start();
		app.insert(3);
		store.down.set(false);

		ReplicatedDatabase database = engine.databases().get(0);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> engine.replicas(database).get(0).position().equals(engine.commitPosition(database)));
		assertThat(engine.staleFile(database)).isEmpty();
		assertThat(engine.stop(Duration.ofSeconds(10))).isTrue();
		assertThat(restored().count()).isEqualTo(13);
	}

	@Test
	void aStaleFileRegisteredWhileTheEngineRunsIsNotReplicated() throws Exception {
		Path first = this.dir.resolve("first.db");
		writeAndStop(first, 10);
		AppDatabase.Summary secondsLastState = restoreWriteAndStop(this.dir.resolve("second.db"), 5, false);
		Map<String, Long> replicated = objects();

		Litestream engine = new Litestream();
		this.open.add(engine);
		engine.start();
		AppDatabase app = app(first);
		ReplicatedDatabase database = new DatabaseRegistry(engine).register(options(first), LEASE,
				List.of(target(new FileReplicaClient(replica()))));
		app.insert(3);

		// Leased at registration; before the fix, the file was replicated as a new generation.
		assertThat(storedLease().holder()).isEqualTo(engine.leaseHolder());
		await().during(SYNC.multipliedBy(10)).atMost(Duration.ofSeconds(30)).until(() -> objects().equals(replicated));
		await().atMost(Duration.ofSeconds(30)).until(() -> engine.staleFile(database).isPresent());
		await().atMost(Duration.ofSeconds(30)).until(() -> storedLease().released());
		engine.stop(Duration.ofSeconds(2));
		assertThat(objects()).isEqualTo(replicated);
		assertThat(restored()).isEqualTo(secondsLastState);
	}

	/** Replicates a new database with {@code rows} rows, then stops cleanly (the lease released). */
	private void writeAndStop(Path file, int rows) throws Exception {
		try (AppDatabase app = new AppDatabase(file); Litestream engine = engine(file, new FileReplicaClient(replica()))) {
			engine.start();
			app.insert(rows);
			ship(engine);
			assertThat(engine.stop(Duration.ofSeconds(10))).isTrue();
		}
	}

	/** Another instance: restores the replica, commits, stops cleanly; its last state. */
	private AppDatabase.Summary restoreWriteAndStop(Path file, int rows, boolean continueGeneration)
			throws Exception {
		new Restorer().restore(new FileReplicaClient(replica()),
				RestoreOptions.latest(file).withContinueGeneration(continueGeneration));
		try (AppDatabase app = new AppDatabase(file); Litestream engine = engine(file, new FileReplicaClient(replica()))) {
			engine.start();
			app.insert(rows);
			ship(engine);
			assertThat(engine.stop(Duration.ofSeconds(10))).isTrue();
		}
		return AppDatabase.summarize(file);
	}

	private Litestream engine(Path file, ReplicaClient client) {
		Litestream engine = new Litestream();
		this.open.add(engine);
		engine.addDatabase(options(file), LEASE, List.of(target(client)));
		return engine;
	}

	private static DatabaseOptions options(Path file) {
		return DatabaseOptions.defaults(file).withMonitorInterval(Duration.ofMillis(50));
	}

	private static ReplicationTarget target(ReplicaClient client) {
		return new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(SYNC));
	}

	private AppDatabase app(Path file) throws Exception {
		AppDatabase app = new AppDatabase(file);
		this.open.add(app);
		return app;
	}

	private static void ship(Litestream engine) {
		ReplicatedDatabase database = engine.databases().get(0);
		await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
			engine.syncNow(engine.replicas(database).get(0)).get();
			return engine.replicas(database).get(0).position().equals(engine.commitPosition(database));
		});
	}

	private Path replica() {
		return this.dir.resolve("replica");
	}

	/** Every object under the replica's generations, with its size. */
	private Map<String, Long> objects() throws IOException {
		Map<String, Long> objects = new TreeMap<>();
		try (Stream<Path> files = Files.walk(replica().resolve("generations"))) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				objects.put(replica().relativize(file).toString(), Files.size(file));
			}
		}
		return objects;
	}

	private AppDatabase.Summary restored() throws Exception {
		Path restored = Files.createTempDirectory(this.dir, "restored").resolve("restored.db");
		new Restorer().restore(new FileReplicaClient(replica()), RestoreOptions.latest(restored));
		return AppDatabase.summarize(restored);
	}

	private LeaseRecord storedLease() throws IOException {
		ConditionalObjects objects = new FileReplicaClient(replica()).conditionalObjects().orElseThrow();
		return LeaseRecord.parse(objects.read(ReplicaLease.OBJECT).orElseThrow().content());
	}

}

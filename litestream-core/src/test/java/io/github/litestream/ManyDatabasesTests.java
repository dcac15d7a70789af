package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Optional;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many databases on the engine's bounded threads: the thread count does not follow the number
 * of databases, an idle database makes no replica request, and a replica stalled on its store
 * does not hold up the others.
 */
class ManyDatabasesTests {

	private static final Duration FAST = Duration.ofMillis(50);

	@TempDir
	Path dir;

	private final List<AppDatabase> apps = new ArrayList<>();

	private Litestream engine;

	@AfterEach
	void close() throws Exception {
		if (this.engine != null) {
			this.engine.stop(Duration.ofSeconds(30));
		}
		for (AppDatabase app : this.apps) {
			app.close();
		}
		if (this.engine != null) {
			this.engine.close();
		}
	}

	@Test
	void fortyDatabasesReplicateOnSixThreads() throws Exception {
		// Threads an earlier test class left ending (an idle pool's keep-alive) are not this engine's.
		Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
		this.engine = new Litestream(Clock.systemUTC(), null, new EngineThreads(2, 3));
		List<ReplicatedDatabase> databases = addDatabases(40, (n) -> fileReplica(n));
		this.engine.start();
		for (AppDatabase app : this.apps) {
			app.insert(20);
		}
		awaitCaughtUp(databases);
		long threads = Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && thread.getName().startsWith("litestream-")
					&& !before.contains(thread))
			.count();
		// A timer, two capture and three replica workers, whatever the number of databases.
		assertThat(threads).isBetween(1L, 6L);
		assertThat(this.engine.stop(Duration.ofSeconds(30))).isTrue();
		for (int n : new int[] { 0, 17, 39 }) {
			Path restored = this.dir.resolve("restored-" + n + ".db");
			new Restorer().restore(new FileReplicaClient(this.dir.resolve("replicas/db" + n)),
					RestoreOptions.latest(restored));
			assertThat(AppDatabase.summarize(restored)).isEqualTo(this.apps.get(n).summary());
		}
	}

	@Test
	void idleDatabasesMakeNoReplicaRequests() throws Exception {
		this.engine = new Litestream(Clock.systemUTC(), null, new EngineThreads(1, 2));
		List<CountingReplicaClient> clients = new ArrayList<>();
		List<ReplicatedDatabase> databases = addDatabases(30, (n) -> {
			CountingReplicaClient client = new CountingReplicaClient(fileReplica(n));
			clients.add(client);
			return client;
		});
		this.engine.start();
		for (AppDatabase app : this.apps) {
			app.insert(5);
		}
		awaitCaughtUp(databases);
		long before = clients.stream().mapToLong(CountingReplicaClient::requests).sum();
		// Forty monitor steps and syncs per database and replica: the idle period is the test itself.
		Thread.sleep(2000);
		long after = clients.stream().mapToLong(CountingReplicaClient::requests).sum();
		assertThat(before).isPositive();
		assertThat(after - before).isZero();
	}

	@Test
	void aReplicaStalledOnItsStoreDoesNotHoldUpTheOthers() throws Exception {
		this.engine = new Litestream(Clock.systemUTC(), null, new EngineThreads(1, 2));
		SlowSnapshotClient stalled = new SlowSnapshotClient(fileReplica(0));
		List<ReplicatedDatabase> databases = addDatabases(10, (n) -> (n == 0) ? stalled : fileReplica(n));
		this.engine.start();
		for (AppDatabase app : this.apps) {
			app.insert(20);
		}
		assertThat(stalled.awaitStarted()).isTrue();
		awaitCaughtUp(databases.subList(1, databases.size()));
		stalled.release();
		awaitCaughtUp(databases.subList(0, 1));
	}

	private List<ReplicatedDatabase> addDatabases(int count, ClientFor clients) throws Exception {
		List<ReplicatedDatabase> databases = new ArrayList<>();
		for (int n = 0; n < count; n++) {
			Path path = this.dir.resolve("db" + n + ".db");
			this.apps.add(new AppDatabase(path));
			ReplicationTarget target = new ReplicationTarget(clients.create(n),
					ReplicaOptions.defaults("file").withSyncInterval(FAST));
			databases.add(this.engine.addDatabase(DatabaseOptions.defaults(path).withMonitorInterval(FAST),
					List.of(target)));
		}
		return databases;
	}

	private ReplicaClient fileReplica(int n) {
		return new FileReplicaClient(this.dir.resolve("replicas/db" + n));
	}

	private void awaitCaughtUp(List<ReplicatedDatabase> databases) {
		await().atMost(Duration.ofMinutes(1)).until(() -> databases.stream().allMatch(this::caughtUp));
	}

	private boolean caughtUp(ReplicatedDatabase database) {
		try {
			Optional<Pos> committed = this.engine.commitPosition(database);
			return committed.isPresent() && this.engine.replicas(database)
				.stream()
				.map(Replica::position)
				.allMatch(committed::equals);
		}
		catch (IOException ex) {
			return false;
		}
	}

	@FunctionalInterface
	private interface ClientFor {

		ReplicaClient create(int n) throws Exception;

	}

}

package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
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
 * A database registered while the engine runs with two replicas, on a file that another
 * instance's replication left behind in the second one: replica 'a' is new (its lease followed
 * nobody, so its own comparison is not due), replica 'b' is where the other instance wrote. The
 * file must not reach 'a' while 'b' has not compared it, and once 'b' finds it stale, 'a' holds
 * nothing of it: a replica written from a stale file would be newest to a restore too. Until
 * then the engine says which comparison its writes wait for. Real SQLite files, real file
 * replicas, real engines.
 */
class StaleFileAcrossReplicasTests {

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
	void noReplicaIsWrittenBeforeEveryReplicaComparedTheFile() throws Exception {
		Path first = this.dir.resolve("first.db");
		replicateAndStop(first, 10);
		Path second = this.dir.resolve("second.db");
		new Restorer().restore(new FileReplicaClient(replica("b")), RestoreOptions.latest(second));
		replicateAndStop(second, 5);

		Litestream engine = new Litestream();
		this.open.add(engine);
		engine.start();
		AppDatabase app = new AppDatabase(first);
		this.open.add(app);
		// Replica 'b' keeps its lease but cannot be listed: its comparison waits.
		AtomicBoolean unlisted = new AtomicBoolean(true);
		ReplicaClient b = new ForwardingReplicaClient(new FileReplicaClient(replica("b"))) {
			@Override
			public List<String> generations() throws IOException {
				if (unlisted.get()) {
					throw new IOException("listing unavailable");
				}
				return super.generations();
			}
		};
		ReplicatedDatabase database = new DatabaseRegistry(engine).register(options(first), LEASE,
				List.of(target("a", new FileReplicaClient(replica("a"))), target("b", b)));
		app.insert(3);

		assertThat(storedLease("a").holder()).isEqualTo(engine.leaseHolder());
		assertThat(storedLease("b").holder()).isEqualTo(engine.leaseHolder());
		// Before the fix, replica 'a' received the file at its first step.
		await().during(SYNC.multipliedBy(10)).atMost(Duration.ofSeconds(30)).until(() -> objects("a").isEmpty());
		AwaitedComparison awaited = engine.awaitedComparison(database).orElseThrow();
		assertThat(awaited.replica()).isEqualTo("b");
		assertThat(awaited.leaseTaken()).isTrue();
		assertThat(awaited.describe()).contains("awaits its comparison with replica 'b'");

		unlisted.set(false);
		await().atMost(Duration.ofSeconds(30)).until(() -> engine.staleFile(database).isPresent());
		assertThat(engine.staleFile(database).orElseThrow().replica()).isEqualTo("b");
		assertThat(engine.awaitedComparison(database)).isEmpty();
		// Never written to, so given back at once for the instance with the newest state.
		await().atMost(Duration.ofSeconds(30)).until(() -> storedLease("a").released() && storedLease("b").released());
		engine.stop(Duration.ofSeconds(2));
		assertThat(objects("a")).isEmpty();
	}

	@Test
	void aReplicaWhoseLeaseIsNotTakenYetHoldsUpTheOthers() throws Exception {
		Path first = this.dir.resolve("first.db");
		replicateAndStop(first, 10);

		Litestream engine = new Litestream();
		this.open.add(engine);
		engine.start();
		AppDatabase app = new AppDatabase(first);
		this.open.add(app);
		UnreachableStore b = new UnreachableStore(new FileReplicaClient(replica("b")), true);
		ReplicatedDatabase database = new DatabaseRegistry(engine).register(options(first), LEASE,
				List.of(target("a", new FileReplicaClient(replica("a"))), target("b", b)));
		app.insert(3);

		// Whether 'b' followed another holder is unknown until its store answers.
		await().during(SYNC.multipliedBy(10)).atMost(Duration.ofSeconds(30)).until(() -> objects("a").isEmpty());
		AwaitedComparison awaited = engine.awaitedComparison(database).orElseThrow();
		assertThat(awaited.replica()).isEqualTo("b");
		assertThat(awaited.leaseTaken()).isFalse();

		// The file is not behind: once 'b' answers and compared it, both replicas receive it.
		b.down.set(false);
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			Optional<Pos> committed = engine.commitPosition(database);
			return engine.replicas(database).stream().allMatch((replica) -> replica.position().equals(committed));
		});
		assertThat(engine.awaitedComparison(database)).isEmpty();
		assertThat(engine.staleFile(database)).isEmpty();
		assertThat(engine.stop(Duration.ofSeconds(10))).isTrue();
	}

	/** Replicates rows to replica 'b' with a lease, ships them and stops cleanly. */
	private void replicateAndStop(Path file, int rows) throws Exception {
		try (AppDatabase app = new AppDatabase(file); Litestream engine = new Litestream()) {
			ReplicatedDatabase database = engine.addDatabase(options(file), LEASE,
					List.of(target("b", new FileReplicaClient(replica("b")))));
			engine.start();
			app.insert(rows);
			await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
				engine.syncNow(engine.replicas(database).get(0)).get();
				return engine.replicas(database).get(0).position().equals(engine.commitPosition(database));
			});
			assertThat(engine.stop(Duration.ofSeconds(10))).isTrue();
		}
	}

	private static DatabaseOptions options(Path file) {
		return DatabaseOptions.defaults(file).withMonitorInterval(Duration.ofMillis(50));
	}

	private static ReplicationTarget target(String name, ReplicaClient client) {
		return new ReplicationTarget(client, ReplicaOptions.defaults(name).withSyncInterval(SYNC));
	}

	private Path replica(String name) {
		return this.dir.resolve("replica-" + name);
	}

	/** Every file under a replica's generations. */
	private List<Path> objects(String name) throws IOException {
		Path generations = replica(name).resolve("generations");
		if (!Files.exists(generations)) {
			return List.of();
		}
		try (Stream<Path> files = Files.walk(generations)) {
			return files.filter(Files::isRegularFile).toList();
		}
	}

	private LeaseRecord storedLease(String name) throws IOException {
		return LeaseRecord.parse(new FileReplicaClient(replica(name)).conditionalObjects()
			.orElseThrow()
			.read(ReplicaLease.OBJECT)
			.orElseThrow()
			.content());
	}

}

package io.github.litestream;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.UnreachableConditionalObjects;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.github.litestream.StoredLeases.storedLease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A primary deposed while it could not reach its replica (a partition, a long pause): another
 * instance restores the replica, takes the lease, commits and stops cleanly. When the old
 * primary reaches the store again, the lease is free, but its database lacks the other's
 * commits (and holds commits of its own that never left it). Taking the lease back would
 * replicate that file as the newest generation and a restore would lose the other's commits:
 * the old primary must stay fenced, and the replica must restore exactly the other's last
 * state. Real SQLite files, a real file replica, two real engines.
 */
class DeposedPrimaryTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(1));

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
	void aDeposedPrimaryNeverTakesTheLeaseBackAndTheReplicaRestoresTheNewHoldersLastState() throws Exception {
		Path replica = this.dir.resolve("replica");
		AtomicBoolean partitioned = new AtomicBoolean();
		Path oldFile = this.dir.resolve("old.db");
		AppDatabase oldApp = app(oldFile);
		Litestream oldEngine = engine(oldFile, partitionable(new FileReplicaClient(replica), partitioned));
		oldEngine.start();
		oldApp.insert(10);
		ship(oldEngine);

		partitioned.set(true);
		await().atMost(Duration.ofSeconds(30)).until(() -> lease(oldEngine).role() == LeaseRole.FENCED);
		// Commits the old primary makes from now on never leave it.
		oldApp.insert(5);

		// The new holder restores the replica, takes the lease once the old one stopped renewing,
		// commits, and stops cleanly (releasing the lease).
		Path newFile = this.dir.resolve("new.db");
		new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(newFile));
		Litestream newEngine = engine(newFile, new FileReplicaClient(replica));
		newEngine.start();
		AppDatabase newApp = app(newFile);
		newApp.insert(20);
		// Its first write waits out the old holder's safety margin.
		await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
			ship(newEngine);
			return true;
		});
		List<String> newHoldersLastState = contents(newFile);
		assertThat(newEngine.stop(Duration.ofSeconds(10))).isTrue();
		newEngine.close();
		newApp.close();
		LeaseRecord released = storedLease(replica);
		assertThat(released.released()).isTrue();
		List<String> generationsAfterNewHolder = new FileReplicaClient(replica).generations();

		// The old primary reaches the store again: the lease is free, and it must not take it.
		partitioned.set(false);
		oldApp.insert(5);
		// Deposed for several renewal ticks in a row (before the fix, it held the lease again).
		await().during(LEASE.ttl().multipliedBy(3))
			.atMost(Duration.ofSeconds(30))
			.until(() -> (lease(oldEngine).role() == LeaseRole.FENCED && lease(oldEngine).lost())
					|| storedLease(replica).holder().equals(oldEngine.leaseHolder()));
		// Its final flush, had it taken the lease back, would reach the replica.
		oldEngine.stop(Duration.ofSeconds(2));

		Path restored = this.dir.resolve("restored.db");
		new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(restored));
		assertThat(contents(restored)).as("the restore holds the new holder's last state").isEqualTo(newHoldersLastState);
		assertThat(new FileReplicaClient(replica).generations()).as("no generation from the stale file")
			.isEqualTo(generationsAfterNewHolder);
		assertThat(storedLease(replica)).as("left as the new holder released it").isEqualTo(released);
		LeaseStatus deposed = lease(oldEngine);
		assertThat(deposed.lost()).isTrue();
		assertThat(deposed.fencedReason()).contains("another instance took the lease")
			.contains(released.holder().instance());
		assertThat(contents(oldFile)).as("the old primary's own file is left as it was").hasSize(20);
	}

	private Litestream engine(Path file, ReplicaClient client) {
		Litestream engine = new Litestream();
		this.open.add(engine);
		engine.addDatabase(DatabaseOptions.defaults(file).withMonitorInterval(Duration.ofMillis(50)), LEASE,
				List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file")
					.withSyncInterval(Duration.ofMillis(100)))));
		return engine;
	}

	private AppDatabase app(Path file) throws Exception {
		AppDatabase app = new AppDatabase(file);
		this.open.add(app);
		return app;
	}

	private static void ship(Litestream engine) throws Exception {
		ReplicatedDatabase database = engine.databases().get(0);
		engine.commitPosition(database);
		engine.syncNow(engine.replicas(database).get(0)).get();
	}

	private static LeaseStatus lease(Litestream engine) {
		Replica replica = engine.replicas(engine.databases().get(0)).get(0);
		return engine.lease(replica).orElseThrow();
	}

	/** Every row of the application's table, in order. */
	private static List<String> contents(Path file) throws Exception {
		List<String> rows = new ArrayList<>();
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT seq, substr(hex(payload), 1, 16) FROM t ORDER BY seq")) {
			while (rs.next()) {
				rows.add(rs.getLong(1) + ":" + rs.getString(2));
			}
		}
		return rows;
	}

	/** A real file replica whose lease object cannot be reached while {@code partitioned} is set. */
	private static ReplicaClient partitionable(FileReplicaClient client, AtomicBoolean partitioned) {
		return new ForwardingReplicaClient(client) {
			@Override
			public Optional<ConditionalObjects> conditionalObjects() {
				return Optional.of(new UnreachableConditionalObjects(delegate().conditionalObjects().orElseThrow(),
						partitioned));
			}
		};
	}

}

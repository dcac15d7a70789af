package io.github.litestream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.jdbc.ReplicationTimeoutException;
import io.github.litestream.jdbc.SynchronousReplicationDataSource;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig.TransactionMode;
import org.sqlite.SQLiteDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Commits through a {@link SynchronousReplicationDataSource} with sync and monitor intervals
 * of 30 s, so that only the waiting commits can make anything reach a replica.
 */
class SynchronousReplicationTests {

	private static final Duration TIMER = SynchronousWriter.TIMER;

	@TempDir
	Path dir;

	private final Litestream engine = new Litestream();

	private final List<ReplicationWait> waits = new java.util.concurrent.CopyOnWriteArrayList<>();

	private final List<Long> groups = new java.util.concurrent.CopyOnWriteArrayList<>();

	@AfterEach
	void close() {
		this.engine.close();
	}

	@Test
	void aCommitReturnsOnlyOnceTheReplicaHoldsIt() throws Exception {
		Switchable replica = new Switchable(new FileReplicaClient(this.dir.resolve("replica")));
		SynchronousReplicationDataSource dataSource = start(ReplicaQuorum.ANY, Duration.ofSeconds(10), replica);
		try (Connection connection = dataSource.getConnection(); Statement s = connection.createStatement()) {
			for (int seq = 1; seq <= 5; seq++) {
				s.execute("INSERT INTO t (seq) VALUES (" + seq + ")");
				assertThat(restoredMax(this.dir.resolve("replica"), "after-" + seq)).isEqualTo(seq);
			}
		}
		assertThat(this.waits).hasSize(5).allMatch(ReplicationWait::replicated);
		ReplicatedDatabase database = this.engine.databases().get(0);
		Pos committed = this.engine.commitPosition(database).orElseThrow();
		Pos stored = this.engine.replicas(database).get(0).position().orElseThrow();
		assertThat(stored.generation()).isEqualTo(committed.generation());
		assertThat(stored).as("read-your-writes: the replica holds the commit position").isEqualByComparingTo(committed);
	}

	@Test
	void anExplicitTransactionWaitsOnceAtCommitAndReadsAndRollbacksNever() throws Exception {
		SynchronousReplicationDataSource dataSource = start(ReplicaQuorum.ANY, Duration.ofSeconds(10),
				new FileReplicaClient(this.dir.resolve("replica")));
		try (Connection connection = dataSource.getConnection()) {
			connection.setAutoCommit(false);
			try (Statement s = connection.createStatement()) {
				s.execute("INSERT INTO t (seq) VALUES (1)");
				s.execute("INSERT INTO t (seq) VALUES (2)");
				assertThat(this.waits).isEmpty();
				connection.commit();
				assertThat(this.waits).hasSize(1);
				assertThat(restoredMax(this.dir.resolve("replica"), "committed")).isEqualTo(2);
				s.execute("INSERT INTO t (seq) VALUES (3)");
				connection.rollback();
				try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
					rs.next();
					assertThat(rs.getLong(1)).isEqualTo(2);
				}
				connection.commit();
			}
		}
		assertThat(this.waits).as("only the commit that wrote waited").hasSize(1);
	}

	@Test
	void concurrentCommitsShareUploads() throws Exception {
		Switchable replica = new Switchable(new FileReplicaClient(this.dir.resolve("replica")));
		SynchronousReplicationDataSource dataSource = start(ReplicaQuorum.ANY, Duration.ofSeconds(10), replica);
		int writers = 10;
		int commitsEach = 20;
		AtomicInteger seq = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(writers);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int i = 0; i < writers; i++) {
				done.add(pool.submit(() -> {
					try (Connection connection = dataSource.getConnection(); Statement s = connection.createStatement()) {
						s.execute("PRAGMA busy_timeout=10000");
						for (int n = 0; n < commitsEach; n++) {
							s.execute("INSERT INTO t (seq) VALUES (" + seq.incrementAndGet() + ")");
						}
					}
					return null;
				}));
			}
			for (Future<?> future : done) {
				future.get();
			}
		}
		finally {
			pool.shutdown();
		}
		int commits = writers * commitsEach;
		assertThat(this.waits).hasSize(commits).allMatch(ReplicationWait::replicated);
		assertThat(restoredMax(this.dir.resolve("replica"), "all")).isEqualTo(commits);
		assertThat(replica.walWrites.get()).as("WAL uploads for %d waiting commits", commits).isLessThan(commits);
		assertThat(this.groups).as("some upload served several waiting commits").anyMatch((size) -> size > 1);
	}

	@Test
	void aCommitThatNoReplicaStoresInTimeThrowsButStaysCommittedAndIsShippedLater() throws Exception {
		Switchable replica = new Switchable(new FileReplicaClient(this.dir.resolve("replica")));
		SynchronousReplicationDataSource dataSource = start(ReplicaQuorum.ANY, Duration.ofMillis(400), replica);
		try (Connection connection = dataSource.getConnection(); Statement s = connection.createStatement()) {
			s.execute("INSERT INTO t (seq) VALUES (1)");
			replica.down = true;
			assertThatExceptionOfType(ReplicationTimeoutException.class)
				.isThrownBy(() -> s.execute("INSERT INTO t (seq) VALUES (2)"))
				.withMessageContaining("durable locally")
				.withMessageContaining("synchronous-timeout")
				.satisfies((ex) -> assertThat(ex.getSQLState()).isEqualTo(ReplicationTimeoutException.SQL_STATE));
			try (ResultSet rs = s.executeQuery("SELECT MAX(seq) FROM t")) {
				rs.next();
				assertThat(rs.getLong(1)).as("committed locally").isEqualTo(2);
			}
			assertThat(restoredMax(this.dir.resolve("replica"), "while-down")).isEqualTo(1);
			replica.down = false;
			ReplicatedDatabase database = this.engine.databases().get(0);
			assertThat(this.engine.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofSeconds(10)).replicated())
				.isTrue();
			assertThat(restoredMax(this.dir.resolve("replica"), "after-recovery")).isEqualTo(2);
		}
	}

	@Test
	void aWaitingCommitHoldsNoWriteLockWhenTransactionsBeginImmediately() throws Exception {
		Switchable replica = new Switchable(new FileReplicaClient(this.dir.resolve("replica")));
		// Long enough for the other writer below on a busy machine; it ends the test's wait.
		SynchronousReplicationDataSource dataSource = start(ReplicaQuorum.ANY, Duration.ofSeconds(5),
				TransactionMode.IMMEDIATE, replica);
		ExecutorService committer = Executors.newSingleThreadExecutor();
		try (Connection connection = dataSource.getConnection()) {
			connection.setAutoCommit(false);
			try (Statement s = connection.createStatement()) {
				s.execute("INSERT INTO t (seq) VALUES (1)");
			}
			replica.down = true;
			Future<?> commit = committer.submit(() -> {
				connection.commit();
				return null;
			});
			await().atMost(Duration.ofSeconds(10)).until(() -> countDirectly() == 1);
			try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("app.db"));
					Statement s = other.createStatement()) {
				s.execute("PRAGMA busy_timeout=300");
				s.execute("INSERT INTO t (seq) VALUES (2)");
			}
			assertThat(commit).as("the commit still waits for the replica").isNotDone();
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(commit::get)
				.withCauseInstanceOf(ReplicationTimeoutException.class);
			assertThat(connection.getAutoCommit()).isFalse();
			try (Statement s = connection.createStatement()) {
				s.execute("INSERT INTO t (seq) VALUES (3)");
			}
			connection.rollback();
			assertThat(countDirectly()).isEqualTo(2);
			replica.down = false;
			connection.setAutoCommit(true);
			assertThatExceptionOfType(SQLException.class).as("as the driver says")
				.isThrownBy(connection::commit)
				.withMessageContaining("auto-commit");
			assertThat(connection.getAutoCommit()).isTrue();
		}
		finally {
			committer.shutdownNow();
		}
	}

	@Test
	void transactionsThatBeginImmediatelyWaitOnlyWhenTheyWroteAndOnlyOnce() throws Exception {
		Switchable replica = new Switchable(new FileReplicaClient(this.dir.resolve("replica")));
		SynchronousReplicationDataSource dataSource = start(ReplicaQuorum.ANY, Duration.ofMillis(300),
				TransactionMode.IMMEDIATE, replica);
		try (Connection connection = dataSource.getConnection()) {
			// What Spring's transaction manager does: auto-commit off, work, commit, auto-commit on.
			connection.setAutoCommit(false);
			try (Statement s = connection.createStatement()) {
				s.execute("INSERT INTO t (seq) VALUES (1)");
			}
			connection.commit();
			connection.setAutoCommit(true);
			assertThat(this.waits).as("the write, and not the empty transaction the driver began after it")
				.hasSize(1);
			replica.down = true;
			connection.setAutoCommit(false);
			try (PreparedStatement read = connection.prepareStatement("SELECT COUNT(*) FROM t");
					ResultSet rs = read.executeQuery()) {
				rs.next();
				assertThat(rs.getLong(1)).isEqualTo(1);
			}
			connection.commit();
			try (Statement s = connection.createStatement()) {
				s.execute("INSERT INTO t (seq) VALUES (2)");
			}
			connection.rollback();
			connection.commit();
			connection.setAutoCommit(true);
			assertThat(this.waits).as("a read, a rollback and empty commits never wait, even with the replica down")
				.hasSize(1);
		}
	}

	@Test
	void aSchemaChangeWaitsThoughItChangesNoRow() throws Exception {
		Switchable replica = new Switchable(new FileReplicaClient(this.dir.resolve("replica")));
		SynchronousReplicationDataSource dataSource = start(ReplicaQuorum.ANY, Duration.ofMillis(300),
				TransactionMode.IMMEDIATE, replica);
		try (Connection connection = dataSource.getConnection(); Statement s = connection.createStatement()) {
			s.execute("/* a migration */ CREATE TABLE u (x)");
			assertThat(this.waits).hasSize(1).allMatch(ReplicationWait::replicated);
			replica.down = true;
			assertThatExceptionOfType(ReplicationTimeoutException.class)
				.isThrownBy(() -> s.execute("DROP TABLE u"));
			assertThat(this.waits).hasSize(2);
		}
	}

	@Test
	void sqlTransactionsThatWriteNothingNeverWait() throws Exception {
		Switchable replica = new Switchable(new FileReplicaClient(this.dir.resolve("replica")));
		SynchronousReplicationDataSource dataSource = start(ReplicaQuorum.ANY, Duration.ofMillis(300), replica);
		replica.down = true;
		try (Connection connection = dataSource.getConnection(); Statement s = connection.createStatement()) {
			s.execute("BEGIN IMMEDIATE");
			s.execute("SELECT COUNT(*) FROM t");
			s.execute("COMMIT");
			s.execute("INSERT OR IGNORE INTO t (seq) SELECT 1 WHERE 0");
		}
		assertThat(this.waits).isEmpty();
	}

	@Test
	void aReplicaThatIsDownIsRetriedOnlyWhileACommitStillWaitsForIt() throws Exception {
		Switchable replica = new Switchable(new FileReplicaClient(this.dir.resolve("replica")));
		SynchronousReplicationDataSource dataSource = start(ReplicaQuorum.ANY, Duration.ofMillis(500), replica);
		replica.down = true;
		try (Connection connection = dataSource.getConnection(); Statement s = connection.createStatement()) {
			assertThatExceptionOfType(ReplicationTimeoutException.class)
				.isThrownBy(() -> s.execute("INSERT INTO t (seq) VALUES (1)"));
		}
		long afterTheWait = replica.attempts.get();
		assertThat(afterTheWait).as("retried while the commit waited").isGreaterThan(1);
		// The sync interval is 30 s: any upload now is a retry for a wait that gave up.
		await().during(Duration.ofMillis(2500))
			.atMost(Duration.ofSeconds(5))
			.until(() -> replica.attempts.get() <= afterTheWait + 1);
	}

	@Test
	void allReplicasMeansEveryReplicaWhileAnyOneIsEnoughByDefault() throws Exception {
		Switchable down = new Switchable(new FileReplicaClient(this.dir.resolve("down")));
		start(ReplicaQuorum.ANY, Duration.ofSeconds(10), new FileReplicaClient(this.dir.resolve("up")), down);
		ReplicatedDatabase database = this.engine.databases().get(0);
		insertDirectly(1);
		assertThat(this.engine.awaitReplicated(database, ReplicaQuorum.ALL, Duration.ofSeconds(10)).replicated())
			.isTrue();
		down.down = true;
		insertDirectly(2);
		ReplicationWait any = this.engine.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofSeconds(10));
		assertThat(any.replicated()).isTrue();
		ReplicationWait all = this.engine.awaitReplicated(database, ReplicaQuorum.ALL, Duration.ofMillis(300));
		assertThat(all.outcome()).isEqualTo(ReplicationWait.Outcome.TIMED_OUT);
		assertThat(all.stored()).isEqualTo(1);
		assertThat(all.required()).isEqualTo(2);
	}

	@Test
	void anInterruptedWaitSaysSoAndKeepsTheInterrupt() throws Exception {
		Switchable down = new Switchable(new FileReplicaClient(this.dir.resolve("down")));
		start(ReplicaQuorum.ANY, Duration.ofSeconds(10), down);
		ReplicatedDatabase database = this.engine.databases().get(0);
		down.down = true;
		insertDirectly(1);
		Thread.currentThread().interrupt();
		ReplicationWait wait = this.engine.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofSeconds(30));
		assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
		assertThat(wait.outcome()).isEqualTo(ReplicationWait.Outcome.INTERRUPTED);
		assertThat(wait.waited()).isLessThan(Duration.ofSeconds(30));
		Thread.currentThread().interrupt();
		assertThatExceptionOfType(ReplicationTimeoutException.class)
			.isThrownBy(SynchronousReplicationDataSource.waiter(this.engine, database, ReplicaQuorum.ANY,
					Duration.ofSeconds(30))::awaitReplicated)
			.withMessageContaining("interrupted")
			.withMessageNotContaining("within");
		assertThat(Thread.interrupted()).isTrue();
	}

	@Test
	void nothingWaitsBeforeTheEngineStartsOrAfterItCloses() throws Exception {
		Path db = createDatabase();
		ReplicatedDatabase database = this.engine.addDatabase(DatabaseOptions.defaults(db).withMonitorInterval(TIMER),
				List.of(new ReplicationTarget(new FileReplicaClient(this.dir.resolve("replica")),
						ReplicaOptions.defaults("r").withSyncInterval(TIMER))));
		assertThat(this.engine.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofSeconds(30)).outcome())
			.isEqualTo(ReplicationWait.Outcome.NOT_REPLICATING);
		this.engine.start();
		this.engine.close();
		assertThat(this.engine.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofSeconds(30)).outcome())
			.isEqualTo(ReplicationWait.Outcome.NOT_REPLICATING);
	}

	@Test
	void aCommitTheEngineCouldNotCopyIsNeverReportedReplicated() throws Exception {
		SynchronousReplicationDataSource dataSource = start(ReplicaQuorum.ANY, Duration.ofSeconds(10),
				new FileReplicaClient(this.dir.resolve("replica")));
		ReplicatedDatabase database = this.engine.databases().get(0);
		try (Connection connection = dataSource.getConnection(); Statement s = connection.createStatement()) {
			s.execute("INSERT INTO t (seq) VALUES (1)");
		}
		// The engine can no longer copy the WAL (its connections are closed, as after a detach
		// whose replica lane outlived it), while the application still commits.
		database.close();
		insertDirectly(2);

		ReplicationWait wait = this.engine.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofMillis(500));

		assertThat(wait.outcome()).as("the replica holds only the first commit").isEqualTo(ReplicationWait.Outcome.TIMED_OUT);
		assertThat(restoredMax(this.dir.resolve("replica"), "uncopied")).isEqualTo(1);
	}

	@Test
	void aDetachedDatabaseIsNotReplicatingAndLeavesNoWaitsBehind() throws Exception {
		SynchronousReplicationDataSource dataSource = start(ReplicaQuorum.ANY, Duration.ofSeconds(10),
				new FileReplicaClient(this.dir.resolve("replica")));
		ReplicatedDatabase database = this.engine.databases().get(0);
		try (Connection connection = dataSource.getConnection(); Statement s = connection.createStatement()) {
			s.execute("INSERT INTO t (seq) VALUES (1)");
		}
		assertThat(this.engine.synchronous().tracked()).as("the database's waits").isEqualTo(1);

		this.engine.lifecycle().detach(database, Duration.ofSeconds(10), true);

		assertThat(this.engine.synchronous().tracked()).as("forgotten with the database").isZero();
		assertThat(this.engine.awaitReplicated(database, ReplicaQuorum.ANY, Duration.ofSeconds(30)).outcome())
			.isEqualTo(ReplicationWait.Outcome.NOT_REPLICATING);
		// A commit still made through the wrapped data source commits as without replication.
		try (Connection connection = dataSource.getConnection(); Statement s = connection.createStatement()) {
			s.execute("INSERT INTO t (seq) VALUES (2)");
		}
	}

	private SynchronousReplicationDataSource start(ReplicaQuorum quorum, Duration timeout, ReplicaClient... clients)
			throws Exception {
		return start(quorum, timeout, TransactionMode.DEFERRED, clients);
	}

	private SynchronousReplicationDataSource start(ReplicaQuorum quorum, Duration timeout, TransactionMode mode,
			ReplicaClient... clients) throws Exception {
		Path db = createDatabase();
		List<ReplicationTarget> targets = new ArrayList<>();
		for (ReplicaClient client : clients) {
			targets.add(new ReplicationTarget(client,
					ReplicaOptions.defaults("r" + targets.size()).withSyncInterval(TIMER)));
		}
		ReplicatedDatabase database = this.engine.addDatabase(DatabaseOptions.defaults(db).withMonitorInterval(TIMER),
				targets);
		this.engine.addReplicationWaitListener(new ReplicationWaitListener() {

			@Override
			public void onWait(ReplicatedDatabase database, ReplicationWait wait) {
				SynchronousReplicationTests.this.waits.add(wait);
			}

			@Override
			public void onGroup(Replica replica, long waits) {
				SynchronousReplicationTests.this.groups.add(waits);
			}

		});
		this.engine.start();
		SQLiteDataSource sqlite = new SQLiteDataSource();
		sqlite.setUrl("jdbc:sqlite:" + db);
		sqlite.setTransactionMode(mode.name());
		return new SynchronousReplicationDataSource(sqlite, this.engine, database, quorum, timeout);
	}

	private Path createDatabase() throws SQLException {
		Path db = this.dir.resolve("app.db");
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
			s.execute("PRAGMA journal_mode=WAL");
			s.execute("CREATE TABLE IF NOT EXISTS t (seq INTEGER PRIMARY KEY)");
		}
		return db;
	}

	private void insertDirectly(int seq) throws SQLException {
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("app.db"));
				Statement s = c.createStatement()) {
			s.execute("INSERT INTO t (seq) VALUES (" + seq + ")");
		}
	}

	private long countDirectly() throws SQLException {
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("app.db"));
				Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private long restoredMax(Path replica, String name) throws Exception {
		Path out = this.dir.resolve("restored-" + name + ".db");
		new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(out));
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out);
				Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(seq), 0) FROM t")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	/** A real client that can be made unreachable, and counts the WAL segments it stores. */
	private static final class Switchable extends ForwardingReplicaClient {

		volatile boolean down;

		final AtomicLong walWrites = new AtomicLong();

		final AtomicLong attempts = new AtomicLong();

		Switchable(ReplicaClient delegate) {
			super(delegate);
		}

		@Override
		public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
			this.attempts.incrementAndGet();
			if (this.down) {
				throw new IOException("Store unreachable");
			}
			this.walWrites.incrementAndGet();
			return delegate().writeWalSegment(pos, lz4);
		}

	}

}

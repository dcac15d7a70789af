package io.github.litestream;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application writing {@link PageWriter} transactions into a database replicated by a real
 * engine, in this JVM, logging each commit in a {@link ConsistencyOracle}: the primary of the
 * generation-continuation and follower tests. Snapshots are never due (a day apart) unless a
 * test takes one, so that any snapshot in a replica is one the test expects.
 */
public final class OracleEngine implements AutoCloseable {

	/** Rows of the {@link PageWriter} table. */
	public static final int ROWS = 24;

	private final Connection connection;

	private final PageWriter writer;

	private final ConsistencyOracle oracle;

	private final Litestream litestream;

	private final ReplicatedDatabase database;

	/**
	 * Opens the application's connection, creates the table if asked (state 0), and starts the
	 * engine on the database.
	 * @param db the database file
	 * @param oracle the history so far
	 * @param createTable whether the database is new
	 * @param replicas the replicas, named {@code r0}, {@code r1}, ...
	 * @throws Exception if anything fails
	 */
	public OracleEngine(Path db, ConsistencyOracle oracle, boolean createTable, ReplicaClient... replicas)
			throws Exception {
		this(db, oracle, createTable, true, replicas);
	}

	/**
	 * Like {@link #OracleEngine(Path, ConsistencyOracle, boolean, ReplicaClient...)}, optionally
	 * without starting the engine yet (see {@link #start()}).
	 * @param db the database file
	 * @param oracle the history so far
	 * @param createTable whether the database is new
	 * @param start whether to start the engine now
	 * @param replicas the replicas
	 * @throws Exception if anything fails
	 */
	public OracleEngine(Path db, ConsistencyOracle oracle, boolean createTable, boolean start,
			ReplicaClient... replicas) throws Exception {
		this(db, oracle, createTable, start, LeaseOptions.DISABLED, LeaseHolder.newInstance(), replicas);
	}

	/**
	 * Like {@link #OracleEngine(Path, ConsistencyOracle, boolean, boolean, ReplicaClient...)},
	 * with leased replicas.
	 * @param db the database file
	 * @param oracle the history so far
	 * @param createTable whether the database is new
	 * @param start whether to start the engine now
	 * @param lease the replicas' lease
	 * @param holder who the engine is in the leases (a standby's holder after a promotion)
	 * @param replicas the replicas
	 * @throws Exception if anything fails
	 */
	public OracleEngine(Path db, ConsistencyOracle oracle, boolean createTable, boolean start, LeaseOptions lease,
			LeaseHolder holder, ReplicaClient... replicas) throws Exception {
		this.oracle = oracle;
		this.litestream = new Litestream(java.time.Clock.systemUTC(), null, EngineThreads.defaults(), holder);
		this.connection = DriverManager.getConnection("jdbc:sqlite:" + db);
		if (createTable) {
			PageWriter.createTable(this.connection, ROWS);
		}
		else {
			PageWriter.configure(this.connection);
		}
		this.writer = new PageWriter(this.connection, ROWS, System.nanoTime());
		List<ReplicationTarget> targets = new ArrayList<>();
		for (int i = 0; i < replicas.length; i++) {
			targets.add(new ReplicationTarget(replicas[i], ReplicaOptions.defaults("r" + i)
				.withSyncInterval(Duration.ofMillis(100))
				.withSnapshotInterval(Duration.ofDays(1))));
		}
		this.database = this.litestream.addDatabase(DatabaseOptions.defaults(db)
			.withMonitorInterval(Duration.ofMillis(50))
			.withCheckpoints(Duration.ofMinutes(10), 100_000, 200_000), lease, targets);
		if (start) {
			start();
		}
	}

	/**
	 * Starts the engine.
	 * @throws Exception if a database cannot be opened
	 */
	public void start() throws Exception {
		this.litestream.start();
	}

	/**
	 * Commits transactions and logs each in the oracle.
	 * @param count how many
	 * @throws Exception if a commit fails
	 */
	public void commit(int count) throws Exception {
		for (int i = 0; i < count; i++) {
			long began = System.currentTimeMillis();
			int[] ids = this.writer.commit(this.oracle.lastLogged() + 1);
			this.oracle.committed(began, ids);
		}
	}

	/**
	 * Restarts the WAL, so that the next commits go to a new index.
	 * @throws Exception if it fails
	 */
	public void newIndex() throws Exception {
		this.database.sync();
		long before = this.database.position().orElseThrow().index();
		// A RESTART waits for readers at most once a second: try again until it restarted.
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
			this.database.checkpoint(CheckpointMode.RESTART);
			return this.database.position().orElseThrow().index() > before;
		});
		assertThat(this.database.position().orElseThrow().index()).isEqualTo(before + 1);
	}

	/**
	 * Waits until every replica holds every commit.
	 */
	public void awaitReplicated() {
		assertThat(this.litestream.awaitReplicated(this.database, ReplicaQuorum.ALL, Duration.ofSeconds(30))
			.replicated()).isTrue();
	}

	/**
	 * The engine's database.
	 * @return the database
	 */
	public ReplicatedDatabase database() {
		return this.database;
	}

	/**
	 * The engine.
	 * @return the engine
	 */
	public Litestream litestream() {
		return this.litestream;
	}

	/**
	 * Flushes to every replica, closes the application's connection, then the engine.
	 */
	@Override
	public void close() throws Exception {
		this.litestream.stop(Duration.ofSeconds(30));
		this.writer.close();
		this.connection.close();
		this.litestream.close();
	}

}

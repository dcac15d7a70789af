package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import io.github.litestream.Litestream;
import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.DatabaseListener;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Transactions that read and then write (Spring's {@code TransactionTemplate} over a Hikari
 * pool) on a replicated database whose engine checkpoints every few commits. The engine holds
 * the write lock for a few milliseconds around each checkpoint, and SQLite never waits for a
 * lock when a transaction that has read starts writing: only a transaction that took the
 * write lock before its first read ({@code litestream.transaction-mode=auto}) never fails.
 */
class WriteTransactionsUnderCheckpointsTests {

	/** At least this many commits, and {@link #CHECKPOINTS} checkpoints meanwhile. */
	private static final int COMMITS = 3000;

	private static final int CHECKPOINTS = 20;

	/** A bound on the run, however slowly the engine checkpoints. */
	private static final int MAX_COMMITS = 50_000;

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, LitestreamAutoConfiguration.class));

	private ApplicationContextRunner checkpointingOften(String... more) {
		return this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("app.db"),
					"spring.datasource.hikari.maximum-pool-size=3",
					"litestream.dbs[0].monitor-interval=5ms", "litestream.dbs[0].min-checkpoint-page-count=8",
					"litestream.dbs[0].max-checkpoint-page-count=32",
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"),
					"litestream.dbs[0].replicas[0].sync-interval=50ms")
			.withPropertyValues(more);
	}

	@Test
	void readThenWriteTransactionsNeverFailWhileTheEngineCheckpoints() throws Exception {
		AtomicInteger committed = new AtomicInteger();
		checkpointingOften().run((context) -> {
			assertThat(context).hasNotFailed();
			DataSource dataSource = context.getBean(DataSource.class);
			createCounter(dataSource);
			AtomicInteger checkpoints = countCheckpoints(context.getBean(Litestream.class));
			List<Throwable> failures = readThenWrite(dataSource, 2, committed, checkpoints);
			assertThat(failures).as("failed transactions").isEmpty();
			assertThat(committed).hasValueGreaterThanOrEqualTo(COMMITS);
			assertThat(checkpoints).as("checkpoints meanwhile").hasValueGreaterThanOrEqualTo(CHECKPOINTS);
		});
		// Closing the context shipped every commit: the replica holds the last committed state.
		Path restored = this.dir.resolve("restored.db");
		new Restorer().restore(new FileReplicaClient(this.dir.resolve("replica")), RestoreOptions.latest(restored));
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + restored);
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT (SELECT n FROM counter), count(*), "
						+ "count(DISTINCT n), min(n), max(n) FROM log")) {
			rows.next();
			int n = committed.get();
			assertThat(List.of(rows.getInt(1), rows.getInt(2), rows.getInt(3), rows.getInt(4), rows.getInt(5)))
				.as("counter, log rows, distinct, first, last")
				.containsExactly(n, n, n, 1, n);
		}
	}

	@Test
	void withTransactionModeDeferredTheSameLoadFailsWithSqliteBusy() {
		// The oracle for the test above: the same load with the driver's default mode, on one
		// thread, so that only the engine's lock can be what the transaction met.
		checkpointingOften("litestream.transaction-mode=deferred").run((context) -> {
			assertThat(context).hasNotFailed();
			DataSource dataSource = context.getBean(DataSource.class);
			createCounter(dataSource);
			AtomicInteger checkpoints = countCheckpoints(context.getBean(Litestream.class));
			List<Throwable> failures = readThenWrite(dataSource, 1, new AtomicInteger(), checkpoints);
			assertThat(failures).as("failed transactions").isNotEmpty();
			assertThat(failures.get(0)).hasStackTraceContaining("SQLITE_BUSY");
		});
	}

	/**
	 * Runs read-then-write transactions on some threads until {@link #COMMITS} commits and
	 * {@link #CHECKPOINTS} checkpoints, or the first failure.
	 */
	private static List<Throwable> readThenWrite(DataSource dataSource, int threadCount, AtomicInteger committed,
			AtomicInteger checkpoints) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
		AtomicInteger started = new AtomicInteger();
		List<CompletableFuture<Void>> threads = new ArrayList<>();
		for (int t = 0; t < threadCount; t++) {
			threads.add(CompletableFuture.runAsync(() -> {
				while (failures.isEmpty() && started.incrementAndGet() <= MAX_COMMITS
						&& (committed.get() < COMMITS || checkpoints.get() < CHECKPOINTS)) {
					try {
						transactions.executeWithoutResult((status) -> {
							int n = jdbc.queryForObject("SELECT n FROM counter", Integer.class) + 1;
							jdbc.update("UPDATE counter SET n = ?", n);
							jdbc.update("INSERT INTO log (n, pad) VALUES (?, randomblob(600))", n);
						});
						committed.incrementAndGet();
					}
					catch (RuntimeException ex) {
						failures.add(ex);
					}
				}
			}));
		}
		CompletableFuture.allOf(threads.toArray(CompletableFuture[]::new)).join();
		return new ArrayList<>(failures);
	}

	private static void createCounter(DataSource dataSource) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.execute("CREATE TABLE counter (n INTEGER NOT NULL)");
		jdbc.execute("INSERT INTO counter VALUES (0)");
		jdbc.execute("CREATE TABLE log (n INTEGER NOT NULL, pad BLOB)");
	}

	private static AtomicInteger countCheckpoints(Litestream engine) {
		AtomicInteger checkpoints = new AtomicInteger();
		ReplicatedDatabase database = engine.databases().get(0);
		database.addListener(new DatabaseListener() {

			@Override
			public void onCheckpoint(CheckpointMode mode, Duration duration) {
				checkpoints.incrementAndGet();
			}

		});
		return checkpoints;
	}

}

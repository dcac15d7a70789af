package io.github.litestream;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.awaitility.Awaitility.await;

/**
 * A started engine with a {@link DatabaseRegistry}, for tests that add and remove databases
 * (tenants) while it runs, with the application databases they open, a pool of caller threads
 * for what must run beside the test, and a wait until a database's replicas caught up.
 * Registered on an instance field:
 *
 * <pre>
 * &#64;RegisterExtension
 * final RunningEngine running = new RunningEngine();
 * </pre>
 *
 * Before each test it creates the engine and its registry, then starts the engine. After each
 * test, and after the test's own {@code @AfterEach} methods (the place to release what the test
 * holds up, such as a latch a store waits on): it interrupts the caller threads, stops the engine
 * (flushing for up to 30 seconds), closes the application databases, then closes the engine.
 */
final class RunningEngine implements BeforeEachCallback, AfterEachCallback {

	private final Supplier<ExecutorService> callers;

	private final List<AppDatabase> apps = new ArrayList<>();

	private Litestream engine;

	private DatabaseRegistry registry;

	private ExecutorService caller;

	private boolean closedByTest;

	/** An engine whose callers are a cached thread pool. */
	RunningEngine() {
		this(Executors::newCachedThreadPool);
	}

	/**
	 * An engine whose callers are a given pool.
	 * @param callers makes the pool before each test, such as a single thread that runs the
	 * test's calls in order
	 */
	RunningEngine(Supplier<ExecutorService> callers) {
		this.callers = callers;
	}

	@Override
	public void beforeEach(ExtensionContext context) throws Exception {
		this.apps.clear();
		this.closedByTest = false;
		this.caller = this.callers.get();
		this.engine = new Litestream();
		this.registry = new DatabaseRegistry(this.engine);
		this.engine.start();
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		this.caller.shutdownNow();
		if (this.closedByTest) {
			closeApps();
			return;
		}
		try {
			this.engine.stop(Duration.ofSeconds(30));
			closeApps();
		}
		finally {
			this.engine.close();
		}
	}

	private void closeApps() throws SQLException {
		for (AppDatabase app : this.apps) {
			app.close();
		}
	}

	/**
	 * The engine, started.
	 * @return the engine
	 */
	Litestream engine() {
		return this.engine;
	}

	/**
	 * The engine's registry.
	 * @return the registry
	 */
	DatabaseRegistry registry() {
		return this.registry;
	}

	/**
	 * Threads for calls that run beside the test (a registration that stalls, a removal);
	 * interrupted after the test.
	 * @return the pool
	 */
	ExecutorService caller() {
		return this.caller;
	}

	/**
	 * Opens an application database, closed after the test once the engine stopped.
	 * @param file the database file
	 * @return the database
	 * @throws SQLException if it cannot be opened
	 */
	AppDatabase app(Path file) throws SQLException {
		AppDatabase app = new AppDatabase(file);
		this.apps.add(app);
		return app;
	}

	/**
	 * The application databases {@link #app} opened, in that order; a test that closes one
	 * before the end removes it.
	 * @return the live list
	 */
	List<AppDatabase> apps() {
		return this.apps;
	}

	/**
	 * Waits up to a minute until every replica of a database holds everything committed to it.
	 * @param database a database registered with the engine
	 */
	void awaitCaughtUp(ReplicatedDatabase database) {
		await().atMost(Duration.ofMinutes(1)).until(() -> {
			Optional<Pos> committed = this.engine.commitPosition(database);
			return committed.isPresent()
					&& this.engine.replicas(database).stream().allMatch((r) -> r.position().equals(committed));
		});
	}

	/**
	 * Leaves the engine to the test, which closed it or is closing it on a thread of its own:
	 * stopping and closing it again after the test would wait for that close.
	 */
	void closedByTest() {
		this.closedByTest = true;
	}

}

package io.github.litestream;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.github.litestream.db.ReplicatedDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callbacks registered on an engine ({@link Litestream#onStarting} and
 * {@link Litestream#onRemoved}), and running them: at every start and registration, and at every
 * removal of a database. Callbacks may be added from any thread, also while they run.
 */
final class EngineCallbacks {

	// The category removals are logged under, which operators filter on.
	private static final Logger logger = LoggerFactory.getLogger(RuntimeDatabases.class);

	private final List<Runnable> starting = new CopyOnWriteArrayList<>();

	private final List<Consumer<ReplicatedDatabase>> removed = new CopyOnWriteArrayList<>();

	/** See {@link Litestream#onStarting(Runnable)}. */
	void onStarting(Runnable callback) {
		this.starting.add(callback);
	}

	/** See {@link Litestream#onRemoved(Consumer)}. */
	void onRemoved(Consumer<ReplicatedDatabase> callback) {
		this.removed.add(callback);
	}

	/**
	 * Runs the starting callbacks, on the calling thread; one that throws stops the start or the
	 * registration.
	 */
	void starting() {
		this.starting.forEach(Runnable::run);
	}

	/**
	 * Runs the removal callbacks for a database, on the calling thread; one that throws is
	 * logged, and the others still run.
	 * @param database the database removed
	 */
	void removed(ReplicatedDatabase database) {
		for (Consumer<ReplicatedDatabase> callback : this.removed) {
			try {
				callback.accept(database);
			}
			catch (RuntimeException ex) {
				logger.warn("A callback on the removal of {} failed: {}", database.path(), ex.toString());
			}
		}
	}

}

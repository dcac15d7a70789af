package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The databases configured with {@code litestream.dbs[n].standby=true}, for the glue that
 * gates their connections, defers their schema migrations, sets readiness and reports them.
 */
public final class LitestreamStandbys {

	private final Map<Path, StandbyDatabase> databases = new ConcurrentHashMap<>();

	/** By the bean name of the DataSource whose connections they hold back. */
	private final Map<String, StandbyDatabase> dataSources = new ConcurrentHashMap<>();

	private final List<Runnable> promotionListeners = new CopyOnWriteArrayList<>();

	private final List<Consumer<StandbyDatabase>> additionListeners = new CopyOnWriteArrayList<>();

	private final Clock clock;

	LitestreamStandbys(Clock clock) {
		this.clock = clock;
	}

	/**
	 * The standby database of an entry, created at the first call.
	 * @param settings a standby entry whose path is known
	 * @return its standby database
	 */
	StandbyDatabase of(DatabaseSettings settings) {
		Path path = settings.path();
		if (path == null || !settings.standby()) {
			throw new IllegalArgumentException(settings.property() + " is not a standby entry with a path");
		}
		StandbyDatabase[] added = new StandbyDatabase[1];
		StandbyDatabase database = this.databases.computeIfAbsent(path,
				(file) -> added[0] = new StandbyDatabase(settings.property(), file, this.clock));
		if (added[0] != null) {
			this.additionListeners.forEach((listener) -> listener.accept(added[0]));
		}
		return database;
	}

	/**
	 * The standby database of a DataSource's entry, created at the first call.
	 * @param settings a standby entry whose path is known
	 * @param dataSourceBeanName the bean name of the DataSource whose connections it holds back
	 * @return its standby database
	 */
	StandbyDatabase of(DatabaseSettings settings, String dataSourceBeanName) {
		StandbyDatabase database = of(settings);
		this.dataSources.put(dataSourceBeanName, database);
		return database;
	}

	/**
	 * The standby database whose connections a DataSource bean holds back until this instance
	 * takes over. Known by the bean's name, it is found even if another post-processor wrapped
	 * the DataSource again.
	 * @param dataSourceBeanName the DataSource's bean name
	 * @return its standby database, if that DataSource is a standby entry's
	 */
	public Optional<StandbyDatabase> ofDataSource(String dataSourceBeanName) {
		return Optional.ofNullable(this.dataSources.get(dataSourceBeanName));
	}

	/**
	 * Calls a listener with every standby database there is now and with each one added later
	 * (a database met twice in a race is harmless to idempotent listeners such as meters).
	 * @param listener what to call
	 */
	public void onEveryDatabase(Consumer<StandbyDatabase> listener) {
		this.additionListeners.add(listener);
		this.databases.values().forEach(listener);
	}

	/**
	 * The standby database at a path.
	 * @param path a canonical database file
	 * @return it, if that file is a standby entry's
	 */
	public Optional<StandbyDatabase> find(Path path) {
		return Optional.ofNullable(this.databases.get(path));
	}

	/**
	 * Every standby database, promoted or not.
	 * @return them, in no particular order
	 */
	public List<StandbyDatabase> all() {
		return List.copyOf(this.databases.values());
	}

	/**
	 * Whether a standby database waits for its takeover.
	 * @return {@code true} while this instance is not the primary of all of them
	 */
	public boolean anyWaiting() {
		return this.databases.values().stream().anyMatch((database) -> !database.isPrimary());
	}

	/**
	 * Calls a listener each time one of them becomes primary.
	 * @param listener what to call, on the promoting thread
	 */
	void onPromotion(Runnable listener) {
		this.promotionListeners.add(listener);
	}

	void promoted() {
		this.promotionListeners.forEach(Runnable::run);
	}

}

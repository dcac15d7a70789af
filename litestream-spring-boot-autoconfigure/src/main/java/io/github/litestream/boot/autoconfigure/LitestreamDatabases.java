package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.github.litestream.db.GenerationContinuation;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.env.Environment;

/**
 * The databases to replicate: the validated {@code litestream.dbs} entries, each tied to its
 * file. The entry without a path gets the file of the only SQLite DataSource when
 * {@link SqliteDataSourceBeanPostProcessor} meets it. Creating this bean only validates;
 * restoring is the explicit step of {@link LitestreamRestoreInitializer}.
 *
 * <p>With lazy initialization no DataSource may exist yet when the context has started, so
 * when the entry without a path is still waiting for one, the DataSource beans are created
 * then, before replication starts: the post-processor ties the SQLite one to the entry and
 * restores its file exactly as at an eager start, and nothing has opened the file before.
 *
 * <p>A SQLite DataSource that matches no entry is left alone: switching off automatic
 * checkpoints on a database nobody checkpoints would let its WAL grow forever. So with no
 * {@code litestream.dbs} at all, nothing is replicated and no DataSource is changed.
 */
public final class LitestreamDatabases implements SmartInitializingSingleton {

	private static final Logger logger = LoggerFactory.getLogger(LitestreamDatabases.class);

	private final List<DatabaseSettings> databases;

	private final Map<String, SqliteJdbcUrl> sqliteDataSources = new LinkedHashMap<>();

	/** The entries with {@code dir}: every database of a directory. */
	private final List<DatabaseSettings> directories;

	private final int pathlessEntry;

	/**
	 * The file the entry without a path took from the first SQLite DataSource, when it did not
	 * exist then (so its restore made it), until a second SQLite DataSource proves the guess
	 * unsafe; {@code null} otherwise.
	 */
	private @Nullable Path guessedFile;

	/** SQLite file DataSources that matched no entry, by bean name. */
	private final Map<String, Path> unmatchedDataSources = new LinkedHashMap<>();

	private boolean warnedOfTypo;

	private final ConfigurableListableBeanFactory beanFactory;

	LitestreamDatabases(LitestreamProperties properties, ReplicaClientFactory clients, Environment environment,
			ConfigurableListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
		List<DatabaseSettings> entries = new LitestreamPropertiesValidator(clients, ReplicaEntrySource.of(environment))
			.validate(properties);
		this.databases = new ArrayList<>(entries.stream().filter((entry) -> entry.directory() == null).toList());
		this.directories = entries.stream().filter((entry) -> entry.directory() != null).toList();
		this.pathlessEntry = pathlessIndex();
		if (entries.isEmpty()) {
			logger.info("No litestream.dbs configured; nothing will be replicated");
		}
	}

	/**
	 * Ties a SQLite DataSource to its {@code dbs} entry. Called before the DataSource opens
	 * any connection.
	 * @param beanName the DataSource's bean name
	 * @param url the database it connects to
	 * @return the entry of the DataSource's database, with its path, or {@code null} if the
	 * database is not replicated (and so needs no restore and no pragmas)
	 * @throws LitestreamConfigurationException if the DataSources and entries don't match up
	 */
	synchronized @Nullable DatabaseSettings attach(String beanName, SqliteJdbcUrl url) {
		this.sqliteDataSources.put(beanName, url);
		int pathless = pathlessIndex();
		if (this.pathlessEntry >= 0 && this.sqliteDataSources.size() > 1) {
			removeGuessedFile();
			throw pathlessEntry(this.databases.get(this.pathlessEntry));
		}
		if (url.inMemory()) {
			if (pathless >= 0) {
				throw new LitestreamConfigurationException(this.databases.get(pathless).property() + ".path",
						"the only SQLite DataSource ('" + beanName + "', " + url.url()
								+ ") is an in-memory database, which has no file to replicate",
						"Use a file database URL such as jdbc:sqlite:data/app.db, or remove "
								+ this.databases.get(pathless).property() + ".");
			}
			return null;
		}
		Path path = SqliteJdbcUrl.canonical(url.path());
		for (DatabaseSettings database : this.databases) {
			if (path.equals(database.path())) {
				return database;
			}
		}
		for (DatabaseSettings directory : this.directories) {
			// A DataSource of one of a directory's databases gets its pragmas and its restore.
			if (directory.directory().holds(path)) {
				return directory.inDirectory(directory.directory().relative(path));
			}
		}
		if (pathless >= 0) {
			this.guessedFile = Files.exists(path) ? null : path;
			DatabaseSettings database = this.databases.get(pathless).withPath(path);
			createDirectories(database);
			this.databases.set(pathless, database);
			return database;
		}
		this.unmatchedDataSources.put(beanName, path);
		return null;
	}

	/**
	 * Creates the DataSources the entry without a path may be waiting for (lazy
	 * initialization), then fails startup if it still found none.
	 */
	@Override
	public void afterSingletonsInstantiated() {
		createDataSourcesForThePathlessEntry();
		synchronized (this) {
			int pathless = pathlessIndex();
			if (pathless >= 0) {
				throw pathlessEntry(this.databases.get(pathless));
			}
			warnOfALikelyTypo();
		}
	}

	/**
	 * Creates every DataSource bean not created yet, when an entry still needs its path from
	 * one. Each passes through {@link SqliteDataSourceBeanPostProcessor}, which restores the
	 * SQLite one's file before anything can have the DataSource. Only done when startup would
	 * otherwise fail, so lazy DataSources stay lazy when every entry names its file. Runs
	 * without this object's lock: another thread creating a DataSource holds the bean
	 * factory's lock and then needs this one in {@link #attach}.
	 */
	private void createDataSourcesForThePathlessEntry() {
		String property;
		synchronized (this) {
			int pathless = pathlessIndex();
			if (pathless < 0) {
				return;
			}
			property = this.databases.get(pathless).property();
		}
		// Not FactoryBeans: finding their type would create them; a DataSource from one is rare.
		String[] names = this.beanFactory.getBeanNamesForType(DataSource.class, false, false);
		List<String> lazy = Arrays.stream(names)
			.filter((name) -> !this.beanFactory.containsSingleton(name))
			.toList();
		if (!lazy.isEmpty()) {
			logger.info("Creating DataSource bean(s) {} before replication starts: {} takes its path from the "
					+ "SQLite DataSource", lazy, property);
			lazy.forEach(this.beanFactory::getBean);
		}
	}

	/**
	 * A SQLite DataSource left alone is fine (a cache nobody backs up), and so is an entry
	 * without a DataSource (a database the application opens otherwise); both at once is most
	 * likely a misspelt path: the application's database would not be backed up.
	 */
	private void warnOfALikelyTypo() {
		if (this.unmatchedDataSources.isEmpty() || this.warnedOfTypo) {
			return;
		}
		List<String> withoutDataSource = this.databases.stream()
			.filter((database) -> !this.sqliteDataSources.values()
				.stream()
				.filter((url) -> !url.inMemory())
				.map((url) -> SqliteJdbcUrl.canonical(url.path()))
				.toList()
				.contains(database.path()))
			.map((database) -> database.property() + ".path (" + database.path() + ")")
			.toList();
		if (!withoutDataSource.isEmpty()) {
			this.warnedOfTypo = true;
			logger.warn("SQLite DataSource(s) {} match no litestream.dbs entry and are not replicated, while {} "
					+ "match(es) no DataSource: if a path is misspelt, the application's database is not backed up",
					this.unmatchedDataSources, withoutDataSource);
		}
	}

	/**
	 * The entries whose file is known so far: those with a path, and the one without once a
	 * DataSource gave it one.
	 * @return the entries in configuration order
	 */
	synchronized List<DatabaseSettings> withPaths() {
		return this.databases.stream().filter((database) -> database.path() != null).toList();
	}

	/**
	 * Every entry without {@code dir}, with its path or not (yet).
	 * @return the entries in configuration order
	 */
	synchronized List<DatabaseSettings> entries() {
		return List.copyOf(this.databases);
	}

	/**
	 * The entries with {@code dir}, each replicating every database of a directory.
	 * @return the entries in configuration order
	 */
	List<DatabaseSettings> directories() {
		return this.directories;
	}

	/**
	 * The databases to replicate, each with its file (entries with {@code dir} are
	 * {@link #directories()}).
	 * @return the databases in configuration order
	 * @throws LitestreamConfigurationException if an entry has no file yet
	 */
	List<DatabaseSettings> databases() {
		afterSingletonsInstantiated();
		synchronized (this) {
			return List.copyOf(this.databases);
		}
	}

	private static void createDirectories(DatabaseSettings database) {
		Path directory = database.path().getParent();
		try {
			Files.createDirectories(directory);
		}
		catch (IOException | SecurityException ex) {
			throw new LitestreamConfigurationException(database.property() + ".path",
					"the directory of " + database.path() + " does not exist and can't be created",
					"Create " + directory + " with write access for the application, or change the DataSource URL.",
					ex);
		}
	}

	/**
	 * The entry without a path restored its replicas into the first SQLite DataSource's file,
	 * and another SQLite DataSource shows that file may belong to another database: left, it
	 * would hold a wrong replica's data under that DataSource's name once the user sets the path.
	 * It did not exist before this start, which fails now, so removing it loses nothing.
	 */
	private void removeGuessedFile() {
		Path file = this.guessedFile;
		this.guessedFile = null;
		if (file == null || !Files.exists(file)) {
			return;
		}
		try {
			GenerationContinuation.discard(file, "the entry without a path does not own this file");
			for (String suffix : List.of("", "-wal", "-shm")) {
				Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
			}
			logger.warn("Removed {}, restored at this start from the replicas of the entry without a path: there "
					+ "is more than one SQLite DataSource, so it may be another database's file", file);
		}
		catch (IOException ex) {
			logger.warn("Could not remove {}, restored at this start from the replicas of the entry without a path, "
					+ "which may be another database's file: delete it before the next start", file, ex);
		}
	}

	private int pathlessIndex() {
		for (int i = 0; i < this.databases.size(); i++) {
			if (this.databases.get(i).path() == null) {
				return i;
			}
		}
		return -1;
	}

	private LitestreamConfigurationException pathlessEntry(DatabaseSettings database) {
		String found = this.sqliteDataSources.isEmpty() ? "there is no SQLite DataSource"
				: "there are " + this.sqliteDataSources.size() + " SQLite DataSources ("
						+ String.join(", ", this.sqliteDataSources.keySet()) + ")";
		return new LitestreamConfigurationException(database.property() + ".path",
				"the path may only be omitted when the application has exactly one SQLite DataSource, but " + found,
				"Set " + database.property() + ".path to the database file to replicate.");
	}

}

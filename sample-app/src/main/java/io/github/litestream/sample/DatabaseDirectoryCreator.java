package io.github.litestream.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Creates the directory of the SQLite file named by {@code spring.datasource.url} before
 * anything opens it: SQLite creates a missing database file but not a missing directory, and
 * a fresh clone or an empty volume has no {@code data/} yet. The path comes from the
 * configuration only, so {@code --spring.datasource.url=...} moves it as usual.
 */
class DatabaseDirectoryCreator implements EnvironmentPostProcessor {

	private static final String PREFIX = "jdbc:sqlite:";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		Path file = databaseFile(environment.getProperty("spring.datasource.url"));
		if (file == null || file.toAbsolutePath().getParent() == null) {
			return;
		}
		Path directory = file.toAbsolutePath().getParent();
		try {
			Files.createDirectories(directory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot create " + directory + " for the database of spring.datasource.url; "
					+ "create it with write access for the application, or point spring.datasource.url elsewhere", ex);
		}
	}

	/**
	 * The file of a {@code jdbc:sqlite:} URL, or {@code null} for another database or an
	 * in-memory one.
	 */
	static Path databaseFile(String url) {
		if (url == null || !url.toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
			return null;
		}
		String name = url.substring(PREFIX.length());
		int query = name.indexOf('?');
		if (query >= 0) {
			if (name.substring(query).contains("mode=memory")) {
				return null;
			}
			name = name.substring(0, query);
		}
		if (name.startsWith("file:")) {
			name = name.substring("file:".length());
		}
		if (name.isEmpty() || name.startsWith(":memory:") || name.startsWith(":resource:")) {
			return null;
		}
		return Path.of(name);
	}

}

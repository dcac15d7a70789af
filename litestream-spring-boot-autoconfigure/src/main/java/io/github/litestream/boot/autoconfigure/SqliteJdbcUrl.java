package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

import org.jspecify.annotations.Nullable;

/**
 * What a {@code jdbc:sqlite:} URL points at, read the way sqlite-jdbc and SQLite read it:
 * a plain file name (relative to the working directory), a {@code file:} URI (with
 * percent-encoding and an optional {@code //localhost} authority), query parameters after
 * {@code ?} (ignored for the path), and the in-memory forms {@code :memory:}, an empty name,
 * {@code file::memory:} and {@code mode=memory}, which can't be replicated.
 *
 * @param url the JDBC URL as configured
 * @param path the absolute, normalised database file, or {@code null} when not a file
 * @param inMemory whether the URL names an in-memory database
 */
record SqliteJdbcUrl(String url, @Nullable Path path, boolean inMemory) {

	/** The prefix every sqlite-jdbc URL starts with. */
	static final String PREFIX = "jdbc:sqlite:";

	/**
	 * Whether a JDBC URL is a sqlite-jdbc URL.
	 * @param url the URL, may be {@code null}
	 * @return whether it starts with {@code jdbc:sqlite:}
	 */
	static boolean isSqlite(@Nullable String url) {
		return url != null && url.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
	}

	/**
	 * Reads a sqlite-jdbc URL.
	 * @param url the URL
	 * @return what it points at
	 * @throws IllegalArgumentException if it is not a sqlite-jdbc URL or names a classpath
	 * resource
	 */
	static SqliteJdbcUrl parse(String url) {
		if (!isSqlite(url)) {
			throw new IllegalArgumentException("Not a SQLite JDBC URL: " + url);
		}
		String name = url.substring(PREFIX.length());
		String query = "";
		int question = name.indexOf('?');
		if (question >= 0) {
			query = name.substring(question + 1);
			name = name.substring(0, question);
		}
		if (name.startsWith(":resource:")) {
			throw new IllegalArgumentException("A classpath resource is read-only and can't be replicated: " + url);
		}
		boolean uri = name.startsWith("file:");
		if (uri) {
			name = fileUriPath(name.substring("file:".length()));
		}
		if (name.isEmpty() || name.equals(":memory:") || hasMemoryMode(query)) {
			return new SqliteJdbcUrl(url, null, true);
		}
		return new SqliteJdbcUrl(url, Path.of(name).toAbsolutePath().normalize(), false);
	}

	/**
	 * The URL's query parameters as sqlite-jdbc's driver reads them (split on {@code &} and the
	 * first {@code =}, not decoded): the pragmas and connection settings a URL may carry.
	 * @param url a sqlite-jdbc URL
	 * @return the parameters, empty without a query
	 */
	static Properties queryParameters(String url) {
		Properties parameters = new Properties();
		int question = url.indexOf('?');
		if (question < 0) {
			return parameters;
		}
		for (String parameter : url.substring(question + 1).split("&")) {
			int equals = parameter.indexOf('=');
			if (equals > 0) {
				parameters.setProperty(parameter.substring(0, equals).trim(), parameter.substring(equals + 1).trim());
			}
		}
		return parameters;
	}

	private static String fileUriPath(String rest) {
		String path = rest;
		if (path.startsWith("//")) {
			int slash = path.indexOf('/', 2);
			String authority = (slash < 0) ? path.substring(2) : path.substring(2, slash);
			if (!authority.isEmpty() && !authority.equalsIgnoreCase("localhost")) {
				throw new IllegalArgumentException("A file: URI must not name a remote host: " + authority);
			}
			path = (slash < 0) ? "" : path.substring(slash);
		}
		int fragment = path.indexOf('#');
		if (fragment >= 0) {
			path = path.substring(0, fragment);
		}
		return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
	}

	private static boolean hasMemoryMode(String query) {
		for (String parameter : query.split("&")) {
			String lower = parameter.toLowerCase(Locale.ROOT);
			if (lower.equals("mode=memory") || lower.equals("vfs=memdb")) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The path that identifies a database file, so that two spellings of one file compare
	 * equal: absolute, normalised, with symbolic links in its existing directories resolved.
	 * @param path a database file
	 * @return its canonical form
	 */
	static Path canonical(Path path) {
		Path absolute = path.toAbsolutePath().normalize();
		if (Files.exists(absolute)) {
			try {
				return absolute.toRealPath();
			}
			catch (IOException ex) {
				return absolute;
			}
		}
		Path parent = absolute.getParent();
		return (parent != null) ? canonical(parent).resolve(absolute.getFileName()) : absolute;
	}

}

package io.github.litestream.restore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Extracts sqlite-jdbc's native library in one copy and points the driver at it, before the
 * driver's first connection in a fresh JVM. Left to itself the driver writes the library to
 * the temporary directory and then compares it with the jar's copy a byte at a time, which a
 * cold JVM runs interpreted: about 0.2 s of a restore-on-boot on two cores. The driver loads
 * a library given by {@code org.sqlite.lib.path} and {@code org.sqlite.lib.name} directly, and
 * falls back to its own extraction if that fails; the properties are cleared once it loaded.
 *
 * <p>Nothing is done if the application set either property, or on Windows, where a loaded
 * library cannot be deleted at exit (the driver's own extraction cleans up there). If the
 * driver has loaded already (a JVM whose first restore comes after the application's first
 * connection), the properties are never read again and the copy only waits for the exit.
 */
final class SqliteNativeLibrary {

	private static final Logger logger = LoggerFactory.getLogger(SqliteNativeLibrary.class);

	static final String PATH_PROPERTY = "org.sqlite.lib.path";

	static final String NAME_PROPERTY = "org.sqlite.lib.name";

	private static final Runnable NOTHING = () -> {
	};

	private SqliteNativeLibrary() {
	}

	/**
	 * Extracts the library and sets the driver's two properties, unless something above rules
	 * it out. A failure only leaves the driver to its own extraction.
	 * @return to run once the driver loaded: clears the properties again, so that another copy
	 * of the driver (another class loader, another version) extracts its own library
	 */
	static Runnable extractAhead() {
		if (System.getProperty(PATH_PROPERTY) != null || System.getProperty(NAME_PROPERTY) != null
				|| System.getProperty("os.name", "").startsWith("Windows")) {
			return NOTHING;
		}
		try {
			String name = LibraryLoaderUtil.getNativeLibName();
			String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
			Path dir;
			try (InputStream library = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
				if (library == null) {
					return NOTHING;
				}
				dir = Files.createTempDirectory(temporaryDirectory(), "litestream-sqlite-");
				dir.toFile().deleteOnExit();
				Path file = dir.resolve(name);
				// Registered before the file exists: deleted in reverse order, the file before its directory.
				file.toFile().deleteOnExit();
				Files.copy(library, file);
			}
			System.setProperty(PATH_PROPERTY, dir.toString());
			System.setProperty(NAME_PROPERTY, name);
			return () -> {
				System.getProperties().remove(PATH_PROPERTY, dir.toString());
				System.getProperties().remove(NAME_PROPERTY, name);
			};
		}
		catch (IOException | RuntimeException | LinkageError ex) {
			logger.debug("Leaving sqlite-jdbc to extract its native library itself: {}", ex.toString());
			return NOTHING;
		}
	}

	private static Path temporaryDirectory() {
		return Path.of(System.getProperty("org.sqlite.tmpdir", System.getProperty("java.io.tmpdir")));
	}

}

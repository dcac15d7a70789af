package io.github.litestream.boot.actuate;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

import io.github.litestream.Litestream;
import io.github.litestream.db.ReplicatedDatabase;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;

/**
 * Finds the database that a request to {@link LitestreamEndpoint} names: by its file name or
 * its full path (over HTTP the {@code db} selector is one path segment, so a full path arrives
 * without its leading slash), and, when several databases share a file name, by the full path
 * given next to it.
 */
final class DatabaseLookup {

	private final Litestream litestream;

	DatabaseLookup(Litestream litestream) {
		this.litestream = litestream;
	}

	/**
	 * The database a request names.
	 * @param db the database's file name or full path
	 * @param path the database's full path, or {@code null}
	 * @return the database, or {@code null} if none matches
	 * @throws InvalidEndpointRequestException if {@code path} is not a path, or more than one
	 * database matches (the message says how to pick one)
	 */
	@Nullable ReplicatedDatabase find(String db, @Nullable String path) {
		Path at;
		try {
			at = (path != null) ? Path.of(path).toAbsolutePath().normalize() : null;
		}
		catch (InvalidPathException ex) {
			throw new InvalidEndpointRequestException("'" + path + "' is not a path: " + ex.getReason(), "Invalid path");
		}
		List<ReplicatedDatabase> matches = this.litestream.databases()
			.stream()
			.filter((database) -> matches(database.path(), db))
			.filter((database) -> at == null || database.path().equals(at))
			.toList();
		if (matches.size() > 1) {
			throw new InvalidEndpointRequestException("More than one database is named '" + db + "' ("
					+ matches.stream().map((database) -> database.path().toString()).toList()
					+ "): select one by its full path, with ?path= on a GET or a \"path\" key in a POST's body",
					"Ambiguous database");
		}
		return matches.isEmpty() ? null : matches.get(0);
	}

	private static boolean matches(Path path, String db) {
		return path.getFileName().toString().equals(db) || path.toString().equals(db)
				|| path.toString().equals("/" + db);
	}

}

package io.github.litestream.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.replica.Pos;

/**
 * The replica the stock Litestream v0.3.14 CLI wrote (fixtures/…/README.md), its expected
 * rows per index (expected.txt), and a copy with object times that tell the indexes apart.
 */
final class CliFixture {

	static final String GENERATION = "d59f8534bf89705e";

	static final long HIGHEST_INDEX = 0x28;

	private CliFixture() {
	}

	static Path directory() {
		try {
			return Path.of(CliFixture.class.getResource("/fixtures/litestream-v0.3.14-file-replica").toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Copies the replica and sets every object of index {@code i} to {@code base + i} minutes
	 * (plus a second per 4 KiB of offset), since git keeps no file times.
	 */
	static Path copyWithTimes(Path target, Instant base) throws IOException {
		Path source = directory().resolve("replica");
		try (Stream<Path> tree = Files.walk(source)) {
			for (Path path : tree.toList()) {
				Path copy = target.resolve(source.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(copy);
				}
				else {
					Files.copy(path, copy);
					String name = path.getFileName().toString();
					long index = Long.parseLong(name.substring(0, 8), 16);
					long offset = name.contains("_") ? Long.parseLong(name.substring(9, 17), 16) : 0;
					Files.setLastModifiedTime(copy, FileTime.from(base.plusSeconds(index * 60 + offset / 0x1000)));
				}
			}
		}
		return target;
	}

	static Path generationDirectory(Path replica) {
		return replica.resolve("generations").resolve(GENERATION);
	}

	/** The rows a restore at an index must hold, or at the latest state for {@code null}. */
	static Expected expected(Long index) {
		try {
			for (String line : Files.readAllLines(directory().resolve("expected.txt"))) {
				if (line.isBlank() || line.startsWith("#")) {
					continue;
				}
				String[] fields = line.trim().split("\\s+");
				Long lineIndex = fields[0].equals("latest") ? null : Pos.parseIndex(fields[0]);
				if (java.util.Objects.equals(lineIndex, index)) {
					return new Expected(Long.parseLong(fields[1]), Long.parseLong(fields[2]), Long.parseLong(fields[3]));
				}
			}
			throw new IllegalArgumentException("expected.txt has no line for " + index);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static List<Long> indexes() {
		List<Long> indexes = new ArrayList<>();
		for (long index = 0; index <= HIGHEST_INDEX; index++) {
			indexes.add(index);
		}
		return indexes;
	}

	/** Rows of table t of a restored database, as expected.txt states them. */
	static Expected summary(Path database) throws SQLException {
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("select count(*), max(seq), sum(seq) from t")) {
			result.next();
			return new Expected(result.getLong(1), result.getLong(2), result.getLong(3));
		}
	}

	record Expected(long count, long maxSeq, long sumSeq) {

	}

}

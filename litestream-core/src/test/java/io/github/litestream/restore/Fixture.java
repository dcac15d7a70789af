package io.github.litestream.restore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.replica.Pos;

/**
 * The replica written by the stock Litestream v0.3.14 CLI (see its README.md), and the rows a
 * restore at each index must produce.
 */
public final class Fixture {

	public static final String GENERATION = "d59f8534bf89705e";

	static final String LATEST_PAYLOAD_SHA256 = "f9c2f926ce354acfc4e56f42eaa3b26cd80a01aad19aa22a3b041b4de7cb1a6e";

	private Fixture() {
	}

	/**
	 * The fixture directory on the test class path.
	 * @return the directory holding README.md, expected.txt and replica/
	 */
	public static Path directory() {
		try {
			return Path.of(Fixture.class.getResource("/fixtures/litestream-v0.3.14-file-replica").toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The replica's root, read-only by convention.
	 * @return the replica root
	 */
	static Path replica() {
		return directory().resolve("replica");
	}

	/**
	 * Copies the replica so a test may change it.
	 * @param target where the copy's root goes
	 * @return the copy's root
	 * @throws IOException if the copy fails
	 */
	public static Path copyReplica(Path target) throws IOException {
		Path source = replica();
		try (Stream<Path> tree = Files.walk(source)) {
			for (Path path : tree.toList()) {
				Path copy = target.resolve(source.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(copy);
				}
				else {
					Files.copy(path, copy);
				}
			}
		}
		return target;
	}

	/**
	 * The expected rows per index, and for {@code latest} (index {@code null}).
	 * @return the rows of expected.txt
	 */
	public static List<Expected> expected() {
		return expected(directory());
	}

	/**
	 * The expected rows per index of a fixture in the same format.
	 * @param directory the fixture's directory, holding expected.txt
	 * @return the rows of its expected.txt
	 */
	public static List<Expected> expected(Path directory) {
		try {
			List<Expected> rows = new ArrayList<>();
			for (String line : Files.readAllLines(directory.resolve("expected.txt"))) {
				if (line.isBlank() || line.startsWith("#")) {
					continue;
				}
				String[] fields = line.trim().split("\\s+");
				Long index = fields[0].equals("latest") ? null : Pos.parseIndex(fields[0]);
				rows.add(new Expected(index, Long.parseLong(fields[1]), Long.parseLong(fields[2]),
						Long.parseLong(fields[3])));
			}
			return rows;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The expected rows at one index.
	 * @param index the index
	 * @return the row
	 */
	public static Expected expectedAt(long index) {
		return expected().stream().filter((row) -> row.index() != null && row.index() == index).findFirst().orElseThrow();
	}

	/**
	 * Sets every object of index {@code i} in a replica copy to {@code base + i minutes}, so
	 * that a timestamp picks out an index (git keeps no file times).
	 * @param root the replica copy's root
	 * @param base the time of index 0
	 * @throws IOException if the times cannot be set
	 */
	public static void setSyntheticTimes(Path root, Instant base) throws IOException {
		Path generation = root.resolve("generations").resolve(GENERATION);
		try (Stream<Path> files = Stream.concat(Files.list(generation.resolve("snapshots")),
				Files.list(generation.resolve("wal")))) {
			for (Path file : files.toList()) {
				String name = file.getFileName().toString();
				long index = Long.parseLong(name.substring(0, 8), 16);
				long offset = name.contains("_") ? Long.parseLong(name.substring(9, 17), 16) : 0;
				// Segments of one index are a second apart, all within the index's minute.
				Instant time = base.plusSeconds(index * 60 + offset / 0x1000);
				Files.setLastModifiedTime(file, FileTime.from(time));
			}
		}
	}

	/**
	 * One line of expected.txt.
	 *
	 * @param index the index, or {@code null} for the latest state
	 * @param count rows in table t
	 * @param maxSeq max(seq)
	 * @param sumSeq sum(seq)
	 */
	public record Expected(Long index, long count, long maxSeq, long sumSeq) {

		@Override
		public String toString() {
			return (this.index != null) ? Pos.hex(this.index) : "latest";
		}

	}

}

package io.github.litestream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.stream.LongStream;

import io.github.litestream.restore.AgeFixture;
import io.github.litestream.restore.Fixture;

/**
 * Core's {@link Fixture} (the replica the stock Litestream v0.3.14 CLI wrote, and its
 * expected.txt) as the CLI tests use it: a copy with object times that tell the indexes apart,
 * and the rows of a restored database in expected.txt's terms.
 */
final class CliFixture {

	static final String GENERATION = Fixture.GENERATION;

	static final long HIGHEST_INDEX = 0x28;

	private CliFixture() {
	}

	/**
	 * Copies the replica and sets every object of index {@code i} to {@code base + i} minutes
	 * (plus a second per 4 KiB of offset), since git keeps no file times.
	 */
	static Path copyWithTimes(Path target, Instant base) throws IOException {
		Fixture.copyReplica(target);
		Fixture.setSyntheticTimes(target, base);
		return target;
	}

	static Path generationDirectory(Path replica) {
		return replica.resolve("generations").resolve(GENERATION);
	}

	/** The rows a restore at an index must hold, or at the latest state for {@code null}. */
	static Rows expected(Long index) {
		Fixture.Expected expected = Fixture.expected()
			.stream()
			.filter((row) -> java.util.Objects.equals(row.index(), index))
			.findFirst()
			.orElseThrow();
		return new Rows(expected.count(), expected.maxSeq(), expected.sumSeq());
	}

	/** The rows the age-encrypted fixture's latest state holds. */
	static Rows encryptedLatest() {
		Fixture.Expected latest = AgeFixture.expected()
			.stream()
			.filter((row) -> row.index() == null)
			.findFirst()
			.orElseThrow();
		return new Rows(latest.count(), latest.maxSeq(), latest.sumSeq());
	}

	/**
	 * A litestream.yml in {@code dir} restoring the age-encrypted fixture copied to
	 * {@code fixture} into {@code database}, with one of the fixture's identity files.
	 */
	static Path encryptedConfig(Path dir, Path database, Path fixture, int identity) throws IOException {
		return Files.writeString(dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - path: %s
				        age:
				          recipients: [%s]
				          identity-files: [%s]
				""".formatted(database, fixture.resolve("replica"), AgeFixture.identity(identity).recipient(),
				fixture.resolve("identity-" + identity + ".txt")));
	}

	static List<Long> indexes() {
		return LongStream.rangeClosed(0, HIGHEST_INDEX).boxed().toList();
	}

	/** Rows of table t of a restored database, as expected.txt states them. */
	static Rows summary(Path database) throws SQLException {
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("select count(*), max(seq), sum(seq) from t")) {
			result.next();
			return new Rows(result.getLong(1), result.getLong(2), result.getLong(3));
		}
	}

	/**
	 * Row count, max(seq) and sum(seq) of table t.
	 *
	 * @param count rows
	 * @param maxSeq max(seq)
	 * @param sumSeq sum(seq)
	 */
	record Rows(long count, long maxSeq, long sumSeq) {

	}

}

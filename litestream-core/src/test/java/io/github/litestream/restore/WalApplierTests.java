package io.github.litestream.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.sqlite.WalChecksum;
import io.github.litestream.sqlite.WalFrameHeader;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link WalApplier} writes only the last committed version of each page, in page order: the
 * result must be the very file SQLite's own checkpoint makes of the same database and WAL,
 * byte for byte, with pages rewritten many times, pages out of order, a shrinking VACUUM, and
 * frames of a transaction that never committed.
 */
class WalApplierTests {

	private static final String GENERATION = "0123456789abcdef";

	@TempDir
	Path temp;

	@Test
	void applyingAnIndexGivesTheFileSqlitesCheckpointGives() throws Exception {
		Path source = this.temp.resolve("source.db");
		Path snapshot = this.temp.resolve("snapshot.db");
		byte[] wal;
		try (Connection app = open(source)) {
			execute(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
			execute(app, "CREATE INDEX t_v ON t (v)");
			execute(app, "INSERT INTO t (v) WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000) "
					+ "SELECT hex(randomblob(100)) FROM n");
			execute(app, "PRAGMA wal_checkpoint(TRUNCATE)");
			Files.copy(source, snapshot);
			// The same pages again and again, the index's pages in random order, then a
			// smaller file.
			for (int round = 0; round < 20; round++) {
				execute(app, "UPDATE t SET v = hex(randomblob(100)) WHERE id % 7 = " + (round % 7));
			}
			execute(app, "DELETE FROM t WHERE id > 300");
			execute(app, "VACUUM");
			execute(app, "INSERT INTO t (v) VALUES ('after the vacuum')");
			wal = Files.readAllBytes(walOf(source));
			// The oracle: SQLite copies the WAL into the database.
			try (Connection copy = open(copyWithWal(source, this.temp.resolve("oracle.db"), wal))) {
				execute(copy, "PRAGMA wal_checkpoint(TRUNCATE)");
			}
		}
		int frameSize = WalFrameHeader.SIZE + WalHeader.parse(wal, 0).pageSize();
		assertThat((wal.length - WalHeader.SIZE) / frameSize).as("frames").isGreaterThan(500);
		// A transaction that began but never committed: frames with valid checksums, no commit.
		byte[] withUncommittedTail = appendUncommittedFrame(wal, frameSize);

		try (FetchedWal plain = inThreePieces(wal); FetchedWal tailed = inThreePieces(withUncommittedTail)) {
			CheckedWal checked = WalApplier.check(plain, WalScanner.readHeader(plain.bytes()));
			CheckedWal withTail = WalApplier.check(tailed, WalScanner.readHeader(tailed.bytes()));
			assertThat(withTail.scan()).isEqualTo(checked.scan());
			assertThat(checked.scan().end()).isEqualTo(wal.length);
			assertThat(withTail.latestFrames()).as("the uncommitted frame is left out")
				.containsExactly(checked.latestFrames());
			assertThat(checked.latestFrames().length).as("pages, each once").isLessThan(checked.scan().frames());
			assertThat(Arrays.stream(checked.latestFrames()).map(CheckedWal::pageNumber).distinct().count())
				.isEqualTo(checked.latestFrames().length);
		}
		try (WalApplier applier = new WalApplier(snapshot, "test replica", GENERATION, 0);
				FetchedWal fetched = inThreePieces(wal)) {
			applier.apply(fetched, new RestorePlan.WalIndex(1,
					List.of(new WalSegmentInfo(GENERATION, 1, 0, wal.length, Instant.now()))));
			applier.force();
		}
		byte[] restored = Files.readAllBytes(snapshot);
		byte[] expected = Files.readAllBytes(this.temp.resolve("oracle.db"));
		assertThat(restored.length).as("size").isEqualTo(expected.length);
		assertThat(Arrays.mismatch(restored, expected)).as("the first byte that differs").isEqualTo(-1);
	}

	/** A frame of page 2 after the last commit, with valid salts and checksum but no commit. */
	private static byte[] appendUncommittedFrame(byte[] wal, int frameSize) throws IOException {
		WalHeader header = WalHeader.parse(wal, 0);
		WalScanner.WalScan committed = WalScanner.scan(inThreePieces(wal).bytes(), header, WalHeader.SIZE,
				header.checksum(), null);
		byte[] longer = Arrays.copyOf(wal, wal.length + frameSize);
		int at = wal.length;
		System.arraycopy(wal, wal.length - frameSize, longer, at, frameSize);
		ByteBuffer frame = ByteBuffer.wrap(longer, at, WalFrameHeader.SIZE);
		frame.putInt(at, 2).putInt(at + 4, 0);
		WalChecksum checksum = WalChecksum.ofFrame(header.bigEndianChecksums(), committed.checksum(), longer, at,
				header.pageSize());
		frame.putInt(at + 16, checksum.first()).putInt(at + 20, checksum.second());
		return longer;
	}

	private static FetchedWal inThreePieces(byte[] bytes) {
		List<FetchedWal.Piece> pieces = new ArrayList<>();
		int third = bytes.length / 3;
		int[] bounds = { 0, third, 2 * third, bytes.length };
		for (int i = 0; i < 3; i++) {
			pieces.add(new FetchedWal.Piece(bounds[i], bounds[i + 1] - bounds[i],
					Arrays.copyOfRange(bytes, bounds[i], bounds[i + 1])));
		}
		AtomicInteger closed = new AtomicInteger();
		return new FetchedWal(pieces, null, null, closed::incrementAndGet);
	}

	private static Path copyWithWal(Path db, Path target, byte[] wal) throws IOException {
		// The database file as it was before the WAL: the checkpointed snapshot.
		Files.copy(db.resolveSibling("snapshot.db"), target);
		Files.write(walOf(target), wal);
		return target;
	}

	private static Path walOf(Path db) {
		return db.resolveSibling(db.getFileName() + "-wal");
	}

	private static Connection open(Path db) throws SQLException {
		Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
		execute(connection, "PRAGMA journal_mode=WAL");
		execute(connection, "PRAGMA wal_autocheckpoint=0");
		return connection;
	}

	private static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

}

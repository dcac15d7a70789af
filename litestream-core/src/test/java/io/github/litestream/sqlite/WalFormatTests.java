package io.github.litestream.sqlite;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;

import io.github.litestream.sqlite.WalScanner.WalScan;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The WAL formats against WAL files written by real SQLite: header and frame parsing, the
 * cumulative checksum in both byte orders, and where committed content ends when frames are
 * torn, uncommitted or left over from an earlier WAL.
 */
class WalFormatTests {

	@TempDir
	Path dir;

	/** Writes {@code transactions} transactions of 3 rows to a new database; leaves the WAL. */
	private Path realWal(int pageSize, int transactions) throws SQLException {
		Path db = this.dir.resolve("db-" + pageSize + ".db");
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
			s.execute("PRAGMA page_size=" + pageSize);
			s.execute("PRAGMA journal_mode=WAL");
			s.execute("PRAGMA wal_autocheckpoint=0");
			s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
			for (int i = 0; i < transactions; i++) {
				s.execute("BEGIN");
				for (int j = 0; j < 3; j++) {
					s.execute("INSERT INTO t (v) VALUES (randomblob(700))");
				}
				s.execute("COMMIT");
			}
			// Keep the WAL: copy it while this connection (the last) is still open.
			try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
				rs.next();
			}
			copy(db.resolveSibling(db.getFileName() + "-wal"), this.dir.resolve("wal-" + pageSize));
			copy(db, this.dir.resolve("base-" + pageSize + ".db"));
		}
		return this.dir.resolve("wal-" + pageSize);
	}

	private static void copy(Path from, Path to) {
		try {
			Files.copy(from, to);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static WalScan scan(Path wal) throws IOException {
		try (FileChannel channel = FileChannel.open(wal)) {
			WalHeader header = WalScanner.readHeader(channel);
			return WalScanner.scan(channel, header, WalHeader.SIZE, header.checksum());
		}
	}

	@ParameterizedTest
	@ValueSource(ints = { 512, 1024, 4096, 8192, 65536 })
	void parsesRealWalsOfEveryPageSize(int pageSize) throws Exception {
		Path wal = realWal(pageSize, 10);
		try (FileChannel channel = FileChannel.open(wal)) {
			WalHeader header = WalScanner.readHeader(channel);
			assertThat(header.pageSize()).isEqualTo(pageSize);
			assertThat(header.magic()).isEqualTo(WalHeader.MAGIC_LITTLE_ENDIAN);
			assertThat(header.formatVersion()).isEqualTo(3007000);
		}
		WalScan scan = scan(wal);
		assertThat(scan.end()).isEqualTo(Files.size(wal));
		assertThat((scan.end() - WalHeader.SIZE) % (WalFrameHeader.SIZE + pageSize)).isZero();
		assertThat(scan.frames()).isEqualTo((int) ((scan.end() - WalHeader.SIZE) / (WalFrameHeader.SIZE + pageSize)));
		assertThat(scan.databasePages()).isPositive();
	}

	@ParameterizedTest
	@ValueSource(ints = { 1, 7, 100, 1000 })
	void aTornFrameEndsTheCommittedContentAtTheLastWholeTransaction(int cut) throws Exception {
		Path wal = realWal(4096, 5);
		long full = scan(wal).end();
		try (FileChannel channel = FileChannel.open(wal, StandardOpenOption.WRITE)) {
			channel.truncate(full - cut);
		}
		WalScan torn = scan(wal);
		assertThat(torn.end()).isLessThan(full);
		assertThat(isCommitFrameEnd(wal, torn.end())).isTrue();
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 8, 24, 3000 })
	void aFlippedByteStopsTheScanBeforeTheDamagedFrame(int offsetInFrame) throws Exception {
		Path wal = realWal(4096, 5);
		int frameSize = WalFrameHeader.SIZE + 4096;
		long damagedFrame = WalHeader.SIZE + 6L * frameSize;
		flip(wal, damagedFrame + offsetInFrame);
		WalScan scan = scan(wal);
		assertThat(scan.end()).isLessThanOrEqualTo(damagedFrame);
		assertThat(isCommitFrameEnd(wal, scan.end())).isTrue();
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 500 })
	void aScanHandsOverExactlyTheCommittedFramesOnceInOrder(int tornBytes) throws Exception {
		// Transactions of 1 to about 400 frames, so that many span the scanner's reads.
		Path db = this.dir.resolve("mixed.db");
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
			s.execute("PRAGMA page_size=1024");
			s.execute("PRAGMA journal_mode=WAL");
			s.execute("PRAGMA wal_autocheckpoint=0");
			s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
			for (int rows : new int[] { 1, 150, 2, 70, 1, 300, 5 }) {
				s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + rows
						+ ") INSERT INTO t (v) SELECT randomblob(900) FROM n");
			}
			copy(db.resolveSibling("mixed.db-wal"), this.dir.resolve("mixed-wal"));
		}
		Path wal = this.dir.resolve("mixed-wal");
		try (FileChannel channel = FileChannel.open(wal, StandardOpenOption.WRITE)) {
			channel.truncate(channel.size() - tornBytes);
		}
		byte[] file = Files.readAllBytes(wal);
		ByteArrayOutputStream handedOver = new ByteArrayOutputStream();
		WalScan scan;
		try (FileChannel channel = FileChannel.open(wal)) {
			WalHeader header = WalScanner.readHeader(channel);
			scan = WalScanner.scan(channel, header, WalHeader.SIZE, header.checksum(),
					(frames, offset, length, walOffset) -> {
						assertThat(walOffset).isEqualTo(WalHeader.SIZE + handedOver.size());
						assertThat(length % header.frameSize()).isZero();
						handedOver.write(frames, offset, length);
					});
		}
		assertThat(scan).isEqualTo(scan(wal));
		assertThat(isCommitFrameEnd(wal, scan.end())).isTrue();
		assertThat(scan.frames()).isGreaterThan(500);
		if (tornBytes > 0) {
			assertThat(scan.end()).isLessThan(file.length);
		}
		assertThat(handedOver.toByteArray()).isEqualTo(Arrays.copyOfRange(file, WalHeader.SIZE, (int) scan.end()));
	}

	@ParameterizedTest
	@ValueSource(ints = { 8, 12 })
	void framesWithAnotherWalsSaltsAreNotPartOfThisWal(int saltOffset) throws Exception {
		Path wal = realWal(4096, 5);
		int frameSize = WalFrameHeader.SIZE + 4096;
		long staleFrame = WalHeader.SIZE + 9L * frameSize;
		flip(wal, staleFrame + saltOffset);
		assertThat(scan(wal).end()).isLessThanOrEqualTo(staleFrame);
	}

	@ParameterizedTest
	@ValueSource(ints = { 1024, 4096 })
	void bigEndianChecksumsMatchWhatSqliteAccepts(int pageSize) throws Exception {
		Path wal = realWal(pageSize, 6);
		long end = scan(wal).end();
		byte[] bigEndian = toBigEndianChecksums(Files.readAllBytes(wal), pageSize);
		WalHeader header = WalHeader.parse(bigEndian, 0);
		assertThat(header.bigEndianChecksums()).isTrue();
		Path converted = this.dir.resolve("be-" + pageSize + ".db");
		Files.copy(this.dir.resolve("base-" + pageSize + ".db"), converted);
		Files.write(converted.resolveSibling(converted.getFileName() + "-wal"), bigEndian);
		assertThat(scan(converted.resolveSibling(converted.getFileName() + "-wal")).end()).isEqualTo(end);
		// SQLite itself recovers the converted WAL: every row is visible.
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + converted);
				Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
			rs.next();
			assertThat(rs.getInt(1)).isEqualTo(18);
		}
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 5, 20 })
	void aDamagedHeaderIsRejected(int offset) throws Exception {
		byte[] header = Files.readAllBytes(realWal(4096, 1));
		header[offset] ^= 0x40;
		assertThatExceptionOfType(InvalidWalException.class).isThrownBy(() -> WalHeader.parse(header, 0));
	}

	private static boolean isCommitFrameEnd(Path wal, long end) throws IOException {
		if (end == WalHeader.SIZE) {
			return true;
		}
		try (FileChannel channel = FileChannel.open(wal)) {
			int frameSize = WalScanner.readHeader(channel).frameSize();
			return WalScanner.readFrameHeader(channel, end - frameSize).isCommit();
		}
	}

	private static void flip(Path file, long offset) throws IOException {
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
			ByteBuffer one = ByteBuffer.allocate(1);
			channel.read(one, offset);
			one.put(0, (byte) (one.get(0) ^ 0x01)).rewind();
			channel.write(one, offset);
		}
	}

	/** Rewrites a little-endian-checksum WAL with the big-endian magic and checksums. */
	private static byte[] toBigEndianChecksums(byte[] wal, int pageSize) {
		ByteBuffer buffer = ByteBuffer.wrap(wal).order(ByteOrder.BIG_ENDIAN);
		buffer.putInt(0, WalHeader.MAGIC_BIG_ENDIAN);
		WalChecksum checksum = WalChecksum.compute(true, WalChecksum.ZERO, wal, 0, 24);
		buffer.putInt(24, checksum.first()).putInt(28, checksum.second());
		int frameSize = WalFrameHeader.SIZE + pageSize;
		for (int at = WalHeader.SIZE; at + frameSize <= wal.length; at += frameSize) {
			checksum = WalChecksum.ofFrame(true, checksum, wal, at, pageSize);
			buffer.putInt(at + 16, checksum.first()).putInt(at + 20, checksum.second());
		}
		return wal;
	}

}

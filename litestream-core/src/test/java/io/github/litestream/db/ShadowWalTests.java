package io.github.litestream.db;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.litestream.sqlite.WalHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ShadowWal} against WAL files written by real SQLite and then copied to plain files the
 * test controls: it can rewrite them, or interrupt the reader, between two reads.
 */
class ShadowWalTests {

	@TempDir
	Path dir;

	private Connection sqlite;

	@AfterEach
	void close() throws SQLException {
		Thread.interrupted();
		if (this.sqlite != null) {
			this.sqlite.close();
		}
	}

	@Test
	void aCopyAppendsExactlyTheBytesItVerifiedWhenTheWalIsRewrittenMeanwhile() throws Exception {
		byte[] original = realWal("a.db", 10, 1);
		byte[] rewritten = realWal("b.db", 10, 1);
		Path walFile = plainFile("wal", original);
		AtomicBoolean rewrite = new AtomicBoolean(true);
		Path shadowFile = this.dir.resolve("shadow/00000000.wal");
		try (FileChannel wal = FileChannel.open(walFile, StandardOpenOption.READ);
				ShadowWal shadow = ShadowWal.create(shadowFile, 0, wal)) {
			// A writer restarts the WAL right after the frames were read: another WAL's bytes.
			FileChannel intercepted = new InterceptedFileChannel(wal, (position, read) -> {
				if (position >= WalHeader.SIZE && read > 0 && rewrite.getAndSet(false)) {
					Files.write(walFile, rewritten);
				}
			});
			shadow.copyFrom(intercepted);
			assertThat(rewrite).as("the WAL was rewritten during the copy").isFalse();
			assertThat(shadow.size()).isEqualTo(original.length);
		}
		assertThat(Arrays.mismatch(Files.readAllBytes(shadowFile), original))
			.as("first byte where the shadow differs from the bytes that were verified")
			.isEqualTo(-1);
		try (ShadowWal reopened = ShadowWal.open(shadowFile, 0)) {
			assertThat(reopened.size()).as("every frame's checksum holds").isEqualTo(original.length);
		}
	}

	@Test
	void anInterruptDuringACopyLeavesTheShadowWalUsable() throws Exception {
		byte[] original = realWal("a.db", 10, 1);
		Path walFile = plainFile("wal", original);
		Path shadowFile = this.dir.resolve("shadow/00000000.wal");
		try (ShadowWal shadow = createShadow(shadowFile, walFile)) {
			try (FileChannel wal = FileChannel.open(walFile, StandardOpenOption.READ)) {
				// The interrupt arrives once the frames were read, while they are being appended.
				FileChannel interrupting = new InterceptedFileChannel(wal, (position, read) -> {
					if (read < 0) {
						Thread.currentThread().interrupt();
					}
				});
				shadow.copyFrom(interrupting);
			}
			catch (IOException ex) {
				// The real WAL's channel may close; one failed copy is acceptable.
			}
			finally {
				Thread.interrupted();
			}
			try (FileChannel wal = FileChannel.open(walFile, StandardOpenOption.READ)) {
				shadow.copyFrom(wal);
			}
			assertThat(shadow.size()).isEqualTo(original.length);
		}
		assertThat(Arrays.mismatch(Files.readAllBytes(shadowFile), original)).isEqualTo(-1);
	}

	@Test
	void framesOfATransactionNotCommittedYetAreNotKept() throws Exception {
		byte[] original = realWal("a.db", 3, 200);
		int frameSize = WalHeader.parse(original, 0).frameSize();
		long committedBefore = this.committedSizes[this.committedSizes.length - 2];
		// The last transaction spans many reads; cut it in the middle of a frame.
		int cut = (int) (committedBefore + (original.length - committedBefore) / 2 + frameSize / 3);
		Path walFile = plainFile("wal", Arrays.copyOf(original, cut));
		Path shadowFile = this.dir.resolve("shadow/00000000.wal");
		try (ShadowWal shadow = createShadow(shadowFile, walFile)) {
			try (FileChannel wal = FileChannel.open(walFile, StandardOpenOption.READ)) {
				shadow.copyFrom(wal);
			}
			assertThat(shadow.size()).isEqualTo(committedBefore);
			assertThat(Files.size(shadowFile)).as("no uncommitted frame stays in the file").isEqualTo(committedBefore);
			Files.write(walFile, original);
			try (FileChannel wal = FileChannel.open(walFile, StandardOpenOption.READ)) {
				shadow.copyFrom(wal);
			}
			assertThat(shadow.size()).isEqualTo(original.length);
		}
		assertThat(Arrays.mismatch(Files.readAllBytes(shadowFile), original)).isEqualTo(-1);
	}

	/** WAL sizes after each transaction of the last {@link #realWal} call. */
	private long[] committedSizes;

	/**
	 * Writes {@code transactions} transactions of {@code rows} rows each into a new database
	 * and returns its WAL, which the open connection keeps from being checkpointed.
	 */
	private byte[] realWal(String name, int transactions, int rows) throws Exception {
		Path db = this.dir.resolve(name);
		Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
		if (this.sqlite != null) {
			this.sqlite.close();
		}
		this.sqlite = connection;
		this.committedSizes = new long[transactions];
		try (Statement s = connection.createStatement()) {
			s.execute("PRAGMA journal_mode=WAL");
			s.execute("PRAGMA wal_autocheckpoint=0");
			s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
			for (int i = 0; i < transactions; i++) {
				s.execute("BEGIN");
				for (int row = 0; row < rows; row++) {
					s.execute("INSERT INTO t (v) VALUES (randomblob(2000))");
				}
				s.execute("COMMIT");
				this.committedSizes[i] = Files.size(db.resolveSibling(name + "-wal"));
			}
		}
		return Files.readAllBytes(db.resolveSibling(name + "-wal"));
	}

	private Path plainFile(String name, byte[] content) throws IOException {
		return Files.write(this.dir.resolve(name), content);
	}

	private static ShadowWal createShadow(Path shadowFile, Path walFile) throws IOException {
		try (FileChannel wal = FileChannel.open(walFile, StandardOpenOption.READ)) {
			return ShadowWal.create(shadowFile, 0, wal);
		}
	}

}

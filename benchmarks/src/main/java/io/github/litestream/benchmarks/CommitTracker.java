package io.github.litestream.benchmarks;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.github.litestream.sqlite.WalChecksum;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;
import io.github.litestream.sqlite.WalScanner.WalScan;

/**
 * Finds where in the WAL the application's last commit ended, by scanning only the frames
 * added since the previous call. The WAL file's size cannot tell: after a checkpoint SQLite
 * rewrites the WAL from the start without shrinking the file. The salts name the WAL
 * (each restart changes them), which maps a commit to the engine's WAL index later.
 */
final class CommitTracker implements AutoCloseable {

	private final FileChannel wal;

	private WalHeader header;

	private long end;

	private WalChecksum checksum;

	CommitTracker(Path database) throws IOException {
		this.wal = FileChannel.open(Path.of(database + "-wal"), StandardOpenOption.READ);
	}

	/**
	 * Where the last commit now ends.
	 * @return the WAL's salts and the offset just past the last commit frame
	 * @throws IOException if the WAL cannot be read
	 */
	CommitPoint afterCommit() throws IOException {
		WalHeader current = WalScanner.readHeader(this.wal);
		if (this.header == null || current.salt1() != this.header.salt1() || current.salt2() != this.header.salt2()) {
			this.header = current;
			this.end = WalHeader.SIZE;
			this.checksum = current.checksum();
		}
		WalScan scan = WalScanner.scan(this.wal, this.header, this.end, this.checksum);
		this.end = scan.end();
		this.checksum = scan.checksum();
		return new CommitPoint(this.header.salt1(), this.header.salt2(), this.end);
	}

	@Override
	public void close() throws IOException {
		this.wal.close();
	}

	/**
	 * A commit's place in the WAL.
	 *
	 * @param salt1 the WAL's first salt
	 * @param salt2 the WAL's second salt
	 * @param end the offset just past the commit
	 */
	record CommitPoint(int salt1, int salt2, long end) {

		long salts() {
			return ((long) this.salt1 << 32) | (this.salt2 & 0xffffffffL);
		}

	}

}

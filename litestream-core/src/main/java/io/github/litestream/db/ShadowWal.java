package io.github.litestream.db;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import io.github.litestream.sqlite.WalChecksum;
import io.github.litestream.sqlite.WalFrameHeader;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;
import io.github.litestream.sqlite.WalScanner.WalScan;

/**
 * The shadow copy of one WAL index: a byte-exact prefix of the real WAL as it was during that
 * index, holding its header and only committed, checksum-valid frames.
 *
 * <p>Why a shadow at all? The real WAL is rewritten from the start every time SQLite restarts
 * it, and replicas may be offline for a while. The shadow keeps every committed byte of every
 * index until all replicas have shipped it, so shipping is decoupled from capture.
 *
 * <p>Appends copy only up to the last commit frame found in the real WAL, continuing the
 * cumulative checksum from the shadow's last frame, and are fsynced before the new size is
 * published (a copy under the database's write lock defers its fsync until the lock is released,
 * see {@link #copyWithoutSync}). The real WAL is read once: each chunk of frames is written to the
 * shadow right after its checksums were verified, from the same buffer, so a writer that restarts the WAL
 * meanwhile cannot slip unverified bytes in. Frames of a transaction whose commit frame is not
 * there yet are cut off again at the end of the copy (memory stays bounded by one chunk however
 * large a transaction is). A crash mid-append leaves a torn tail, which {@link #open} cuts back
 * to the last whole transaction. The object is used by one thread at a time (the database's
 * monitor).
 *
 * <p>The shadow file stays open as long as the index, so it is written with
 * {@link RandomAccessFile}'s own methods: an interrupt closes a {@link FileChannel} in use,
 * which would break the shadow WAL until the next start, while classic file I/O ignores
 * interrupts. The real WAL is read through a channel opened for each step (see
 * {@link UninterruptibleReadChannel}).
 */
final class ShadowWal implements AutoCloseable {

	private final Path file;

	private final long index;

	private final byte[] headerBytes;

	private final WalHeader header;

	private final RandomAccessFile out;

	private long size;

	/** Whether frames up to {@link #size} were written but not forced to disk yet. */
	private boolean unsynced;

	/** Bytes in the file: more than {@link #size} only during a copy. */
	private long extent;

	private WalChecksum checksum;

	private ShadowWal(Path file, long index, byte[] headerBytes, RandomAccessFile out, long size,
			WalChecksum checksum) {
		this.file = file;
		this.index = index;
		this.headerBytes = headerBytes;
		this.header = WalHeader.parse(headerBytes, 0);
		this.out = out;
		this.size = size;
		this.extent = size;
		this.checksum = checksum;
	}

	/**
	 * Starts a new shadow WAL holding the real WAL's header (and nothing else yet).
	 * @param file the shadow file to create; must not exist
	 * @param index the WAL index
	 * @param realWal the real WAL
	 * @return the shadow WAL
	 * @throws IOException if the real WAL has no valid header or the file cannot be written
	 */
	static ShadowWal create(Path file, long index, FileChannel realWal) throws IOException {
		byte[] headerBytes = new byte[WalHeader.SIZE];
		if (WalScanner.readFully(realWal, headerBytes, 0) < WalHeader.SIZE) {
			throw new IOException("The WAL has no complete header yet");
		}
		WalHeader header = WalHeader.parse(headerBytes, 0);
		Files.createDirectories(file.getParent());
		Files.createFile(file);
		RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw");
		try {
			out.write(headerBytes);
			out.getFD().sync();
		}
		catch (IOException ex) {
			out.close();
			throw ex;
		}
		return new ShadowWal(file, index, headerBytes, out, WalHeader.SIZE, header.checksum());
	}

	/**
	 * Opens an existing shadow WAL, checking every frame and cutting off a torn tail.
	 * @param file the shadow file
	 * @param index its WAL index
	 * @return the shadow WAL, or {@code null} if the file has no valid header
	 * @throws IOException if it cannot be read
	 */
	static ShadowWal open(Path file, long index) throws IOException {
		RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw");
		try {
			byte[] headerBytes = new byte[WalHeader.SIZE];
			if (read(out, headerBytes, 0) < WalHeader.SIZE) {
				out.close();
				return null;
			}
			WalHeader header = WalHeader.parse(headerBytes, 0);
			WalScan scan;
			try (FileChannel in = UninterruptibleReadChannel.open(file)) {
				scan = WalScanner.scan(in, header, WalHeader.SIZE, header.checksum());
			}
			if (out.length() > scan.end()) {
				out.setLength(scan.end());
				out.getFD().sync();
			}
			return new ShadowWal(file, index, headerBytes, out, scan.end(), scan.checksum());
		}
		catch (IOException ex) {
			out.close();
			throw ex;
		}
		catch (RuntimeException ex) {
			out.close();
			return null;
		}
	}

	/**
	 * Appends the real WAL's committed frames that follow this shadow's end.
	 * @param realWal the real WAL, with the same header as this shadow
	 * @return the number of bytes appended
	 * @throws IOException if reading or writing fails
	 */
	long copyFrom(FileChannel realWal) throws IOException {
		long copied = copyWithoutSync(realWal);
		sync();
		return copied;
	}

	/**
	 * Appends like {@link #copyFrom(FileChannel)} but leaves the fsync to {@link #sync()}, for a
	 * copy made while the engine holds the database's write lock: an fsync there would make
	 * every application commit wait for the disk (tens of milliseconds on a busy one). Until
	 * {@link #sync()} the new frames must not be published, and no next index may begin: a
	 * power loss before it leaves a torn shadow that the next start answers with a new
	 * generation, which is safe only while no later index exists.
	 * @param realWal the real WAL, with the same header as this shadow
	 * @return the number of bytes appended
	 * @throws IOException if reading or writing fails
	 */
	long copyWithoutSync(FileChannel realWal) throws IOException {
		WalScan scan;
		try {
			scan = WalScanner.scanVerified(realWal, this.header, this.size, this.checksum, this::write);
		}
		catch (IOException | RuntimeException ex) {
			try {
				cutBackTo(this.size);
			}
			catch (IOException suppressed) {
				ex.addSuppressed(suppressed);
			}
			throw ex;
		}
		cutBackTo(scan.end());
		long length = scan.end() - this.size;
		if (length <= 0) {
			return 0;
		}
		this.unsynced = true;
		this.size = scan.end();
		this.checksum = scan.checksum();
		return length;
	}

	/**
	 * Forces frames appended by {@link #copyWithoutSync(FileChannel)} to disk, if any.
	 * @throws IOException if the fsync fails
	 */
	void sync() throws IOException {
		if (this.unsynced) {
			this.out.getFD().sync();
			this.unsynced = false;
		}
	}

	/** Writes verified frames at their offset, which is the same in the shadow as in the WAL. */
	private void write(byte[] buffer, int offset, int length, long walOffset) throws IOException {
		// Before the write, so that a failed one is cut back too.
		this.extent = Math.max(this.extent, walOffset + length);
		this.out.seek(walOffset);
		this.out.write(buffer, offset, length);
	}

	/** Drops what was written past {@code end}: frames of a transaction not committed yet. */
	private void cutBackTo(long end) throws IOException {
		if (this.extent > end) {
			this.out.setLength(end);
			this.extent = end;
		}
	}

	/**
	 * Whether the real WAL starts with this shadow's header, that is, it was not restarted.
	 * @param realWal the real WAL
	 * @return {@code true} if the headers are identical
	 * @throws IOException if it cannot be read
	 */
	boolean headerMatches(FileChannel realWal) throws IOException {
		byte[] current = new byte[WalHeader.SIZE];
		return WalScanner.readFully(realWal, current, 0) == WalHeader.SIZE && Arrays.equals(current, this.headerBytes);
	}

	/**
	 * Whether the real WAL still holds this shadow's last frame at the same place, the proof
	 * that nobody rewrote the WAL behind the engine's back.
	 * @param realWal the real WAL
	 * @return {@code true} if the bytes are identical (or the shadow holds no frame)
	 * @throws IOException if it cannot be read
	 */
	boolean lastFrameMatches(FileChannel realWal) throws IOException {
		if (this.size <= WalHeader.SIZE) {
			return true;
		}
		int frameSize = this.header.frameSize();
		byte[] expected = new byte[frameSize];
		byte[] actual = new byte[frameSize];
		long at = this.size - frameSize;
		return read(this.out, expected, at) == frameSize && WalScanner.readFully(realWal, actual, at) == frameSize
				&& Arrays.equals(expected, actual);
	}

	/**
	 * Whether the real WAL starts with every byte of this shadow: the check at a start, when a
	 * crash may have lost part of the WAL that the header and the last frame do not show.
	 * @param realWal the real WAL
	 * @return {@code true} if the real WAL's first bytes are this shadow's
	 * @throws IOException if either cannot be read
	 */
	boolean isPrefixOf(FileChannel realWal) throws IOException {
		byte[] expected = new byte[1024 * 1024];
		byte[] actual = new byte[expected.length];
		for (long at = 0; at < this.size; at += expected.length) {
			int length = (int) Math.min(expected.length, this.size - at);
			byte[] mine = (length == expected.length) ? expected : new byte[length];
			byte[] theirs = (length == actual.length) ? actual : new byte[length];
			if (read(this.out, mine, at) != length || WalScanner.readFully(realWal, theirs, at) != length
					|| !Arrays.equals(mine, theirs)) {
				return false;
			}
		}
		return true;
	}

	/** Reads into {@code buffer} from {@code position} until it is full or the file ends. */
	private static int read(RandomAccessFile file, byte[] buffer, long position) throws IOException {
		file.seek(position);
		int total = 0;
		while (total < buffer.length) {
			int n = file.read(buffer, total, buffer.length - total);
			if (n < 0) {
				break;
			}
			total += n;
		}
		return total;
	}

	/**
	 * The WAL header's checkpoint sequence, which SQLite increments on every restart.
	 * @return the sequence
	 */
	int checkpointSequence() {
		return this.header.checkpointSequence();
	}

	WalHeader header() {
		return this.header;
	}

	Path file() {
		return this.file;
	}

	long index() {
		return this.index;
	}

	long size() {
		return this.size;
	}

	int pageSize() {
		return this.header.pageSize();
	}

	/**
	 * Frames held, header excluded.
	 * @return the frame count
	 */
	long frameCount() {
		return (this.size - WalHeader.SIZE) / (WalFrameHeader.SIZE + this.header.pageSize());
	}

	@Override
	public void close() throws IOException {
		this.out.close();
	}

}

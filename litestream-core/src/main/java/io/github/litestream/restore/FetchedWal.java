package io.github.litestream.restore;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import io.github.litestream.sqlite.WalBytes;
import io.github.litestream.sqlite.WalScanner;

/**
 * One index's WAL as the {@link WalIndexFetcher} fetched it: its segments in order, each held
 * in memory or written at its offset into the index's temporary file. Closing it gives the
 * memory back to the fetcher's budget and removes the file. One thread at a time reads it (its
 * check, then the applier, one after the other): reads move a cursor.
 */
final class FetchedWal implements AutoCloseable {

	private final List<Piece> pieces;

	private final FileChannel file;

	private final Path path;

	private final Runnable release;

	private final long size;

	/** The piece the last read ended in: the applier reads from start to end. */
	private int cursor;

	/**
	 * @param pieces the segments in WAL order, contiguous from offset 0
	 * @param file the index's temporary file, holding the pieces without bytes; {@code null} if
	 * every piece is in memory
	 * @param path the file's path, removed on {@link #close()}
	 * @param release gives the pieces' memory back, once
	 */
	FetchedWal(List<Piece> pieces, FileChannel file, Path path, Runnable release) {
		this.pieces = pieces;
		this.file = file;
		this.path = path;
		this.release = release;
		Piece last = pieces.get(pieces.size() - 1);
		this.size = last.offset() + last.length();
	}

	/**
	 * The WAL's length.
	 * @return bytes
	 */
	long size() {
		return this.size;
	}

	/**
	 * How many of the WAL's bytes are held in memory rather than in the file.
	 * @return bytes
	 */
	long inMemory() {
		return this.pieces.stream().filter((piece) -> piece.bytes() != null).mapToLong(Piece::length).sum();
	}

	/**
	 * The WAL's bytes, for {@link WalScanner}.
	 * @return a reader of this WAL
	 */
	WalBytes bytes() {
		return this::read;
	}

	/**
	 * Writes the whole WAL into a new file, for the engine to continue the generation from.
	 * @param target where to write it; must not exist
	 * @throws IOException if it cannot be written
	 */
	void writeTo(Path target) throws IOException {
		try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
			byte[] buffer = new byte[256 * 1024];
			for (long at = 0; at < this.size;) {
				int n = read(buffer, at);
				ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, (int) Math.min(n, this.size - at));
				while (bytes.hasRemaining()) {
					at += out.write(bytes, at);
				}
			}
		}
	}

	/**
	 * Copies bytes of the WAL into a buffer, from any position: pages are taken out of order.
	 * @param target where the bytes go, from its position on
	 * @param position where in the WAL they start
	 * @param length how many; they must lie inside the WAL
	 * @throws IOException if the temporary file cannot be read
	 */
	void copyTo(ByteBuffer target, long position, int length) throws IOException {
		int done = 0;
		for (int piece = pieceHolding(position); done < length; piece++) {
			Piece p = this.pieces.get(piece);
			long at = position + done;
			int n = (int) Math.min(length - done, p.offset() + p.length() - at);
			if (p.bytes() != null) {
				target.put(p.bytes(), (int) (at - p.offset()), n);
			}
			else {
				ByteBuffer part = target.slice(target.position(), n);
				while (part.hasRemaining()) {
					if (this.file.read(part, at + part.position()) < 0) {
						throw new EOFException("The temporary WAL file ends before offset " + (at + n));
					}
				}
				target.position(target.position() + n);
			}
			done += n;
		}
	}

	/** The piece holding a position inside the WAL, by binary search. */
	private int pieceHolding(long position) {
		int low = 0;
		int high = this.pieces.size() - 1;
		while (low < high) {
			int middle = (low + high + 1) >>> 1;
			if (this.pieces.get(middle).offset() <= position) {
				low = middle;
			}
			else {
				high = middle - 1;
			}
		}
		return low;
	}

	@Override
	public void close() throws IOException {
		this.release.run();
		if (this.file != null) {
			this.file.close();
			Files.deleteIfExists(this.path);
		}
	}

	private int read(byte[] buffer, long position) throws IOException {
		int done = 0;
		int piece = pieceAt(position);
		while (done < buffer.length && piece < this.pieces.size()) {
			Piece p = this.pieces.get(piece);
			long at = position + done;
			int n = (int) Math.min(buffer.length - done, p.offset() + p.length() - at);
			if (p.bytes() != null) {
				System.arraycopy(p.bytes(), (int) (at - p.offset()), buffer, done, n);
			}
			else {
				readFile(buffer, done, n, at);
			}
			done += n;
			piece++;
		}
		this.cursor = Math.max(0, piece - 1);
		return done;
	}

	private void readFile(byte[] buffer, int offset, int length, long position) throws IOException {
		ByteBuffer target = ByteBuffer.wrap(buffer, offset, length);
		while (target.hasRemaining()) {
			if (this.file.read(target, position + target.position() - offset) < 0) {
				throw new EOFException("The temporary WAL file ends before offset " + (position + length));
			}
		}
	}

	/** The index of the piece holding {@code position}, or the number of pieces past the end. */
	private int pieceAt(long position) {
		int i = (this.pieces.get(this.cursor).offset() <= position) ? this.cursor : 0;
		while (i < this.pieces.size() && this.pieces.get(i).offset() + this.pieces.get(i).length() <= position) {
			i++;
		}
		return i;
	}

	/**
	 * One segment's decompressed bytes.
	 * @param offset where they start in the WAL
	 * @param length how many there are
	 * @param bytes the bytes, or {@code null} if they are in the index's file
	 */
	record Piece(long offset, long length, byte[] bytes) {
	}

}

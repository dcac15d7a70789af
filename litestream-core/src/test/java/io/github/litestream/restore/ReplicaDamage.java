package io.github.litestream.restore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import io.github.litestream.replica.Lz4;

/**
 * Damages replica objects the ways disks, partial copies and bugs do.
 */
public final class ReplicaDamage {

	private ReplicaDamage() {
	}

	/**
	 * Flips one bit in the middle of a file.
	 * @param file the object
	 * @throws IOException if it cannot be written
	 */
	public static void flipByte(Path file) throws IOException {
		try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
			long at = raf.length() / 2;
			raf.seek(at);
			int value = raf.read();
			raf.seek(at);
			raf.write(value ^ 0x40);
		}
	}

	/**
	 * Flips a bit in the middle of a segment's WAL bytes and compresses them again: the object
	 * reads back as valid LZ4, and only the WAL's checksum chain shows the damage.
	 * @param file a WAL segment object
	 * @throws IOException if it cannot be read or written
	 */
	public static void flipWalByte(Path file) throws IOException {
		byte[] wal;
		try (InputStream in = Lz4.decompress(Files.newInputStream(file))) {
			wal = in.readAllBytes();
		}
		wal[wal.length / 2] ^= 0x40;
		try (OutputStream out = Lz4.compress(Files.newOutputStream(file))) {
			out.write(wal);
		}
	}

	/**
	 * Cuts a file to half its size.
	 * @param file the object
	 * @throws IOException if it cannot be written
	 */
	public static void truncate(Path file) throws IOException {
		try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
			raf.setLength(raf.length() / 2);
		}
	}

}

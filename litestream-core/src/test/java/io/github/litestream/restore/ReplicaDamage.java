package io.github.litestream.restore;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

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

package io.github.litestream.restore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Copies a decompressing stream into a file at a given position, with a buffer large enough
 * that system calls do not dominate ({@code InputStream.transferTo} uses 8 KiB).
 */
final class StreamToFile {

	private static final int BUFFER_SIZE = 256 * 1024;

	private StreamToFile() {
	}

	/**
	 * Copies all of {@code in} into {@code out} from {@code position} on, with positional
	 * writes, so that several threads may fill one file.
	 * @param in the source
	 * @param out the file
	 * @param position where the first byte goes
	 * @return the number of bytes copied
	 * @throws IOException if reading fails; a {@link LocalFileException} if writing does
	 */
	static long copy(InputStream in, FileChannel out, long position) throws IOException {
		byte[] buffer = new byte[BUFFER_SIZE];
		long at = position;
		int n;
		while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
			ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
			try {
				while (bytes.hasRemaining()) {
					at += out.write(bytes, at);
				}
			}
			catch (IOException ex) {
				throw new LocalFileException("the restore's temporary files", ex);
			}
		}
		return at - position;
	}

}

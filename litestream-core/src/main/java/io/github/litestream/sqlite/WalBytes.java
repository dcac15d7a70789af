package io.github.litestream.sqlite;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * The bytes of a WAL as {@link WalScanner} reads them: a file, or a WAL a restore holds in
 * memory.
 */
@FunctionalInterface
public interface WalBytes {

	/**
	 * Reads into {@code buffer} from {@code position} until it is full or the WAL ends.
	 * @param buffer the destination
	 * @param position the WAL offset of the first byte
	 * @return the number of bytes read
	 * @throws IOException if the bytes cannot be read
	 */
	int read(byte[] buffer, long position) throws IOException;

	/**
	 * The bytes of a WAL file.
	 * @param channel the file
	 * @return its bytes
	 */
	static WalBytes of(FileChannel channel) {
		return (buffer, position) -> WalScanner.readFully(channel, buffer, position);
	}

}

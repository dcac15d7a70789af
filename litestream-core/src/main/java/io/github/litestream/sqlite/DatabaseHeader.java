package io.github.litestream.sqlite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The fields of the 100-byte SQLite database header that replication cares about.
 *
 * @param pageSize the page size in bytes
 * @param writeVersion 1 for rollback journal, 2 for WAL
 * @param readVersion 1 for rollback journal, 2 for WAL
 * @param changeCounter the file change counter
 * @param pageCount the database size in pages
 */
public record DatabaseHeader(int pageSize, int writeVersion, int readVersion, int changeCounter, int pageCount) {

	/** Size of the database header in bytes. */
	public static final int SIZE = 100;

	private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

	/**
	 * Parses the header at the start of a database file.
	 * @param bytes at least {@link #SIZE} bytes
	 * @return the header
	 * @throws IllegalArgumentException if the bytes are not a SQLite database header
	 */
	public static DatabaseHeader parse(byte[] bytes) {
		if (bytes.length < SIZE) {
			throw new IllegalArgumentException("Not a SQLite database: shorter than its 100-byte header");
		}
		for (int i = 0; i < MAGIC.length; i++) {
			if (bytes[i] != MAGIC[i]) {
				throw new IllegalArgumentException("Not a SQLite database: the file does not start with 'SQLite format 3'");
			}
		}
		ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
		int rawPageSize = Short.toUnsignedInt(buffer.getShort(16));
		int pageSize = (rawPageSize == 1) ? 65536 : rawPageSize;
		if (!PageSize.isValid(pageSize)) {
			throw new IllegalArgumentException("Not a SQLite database: invalid page size " + pageSize);
		}
		return new DatabaseHeader(pageSize, bytes[18], bytes[19], buffer.getInt(24), buffer.getInt(28));
	}

	/**
	 * Whether the database is in WAL mode.
	 * @return {@code true} if both versions are 2
	 */
	public boolean isWalMode() {
		return this.writeVersion == 2 && this.readVersion == 2;
	}

}

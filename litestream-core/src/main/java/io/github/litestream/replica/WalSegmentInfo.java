package io.github.litestream.replica;

import java.time.Instant;


/**
 * A WAL segment stored in a replica.
 *
 * @param generation the generation
 * @param index the WAL index
 * @param offset the byte offset within the index where the segment's bytes start
 * @param size compressed size in bytes
 * @param createdAt when the replica stored it (object time)
 */
public record WalSegmentInfo(String generation, long index, long offset, long size, Instant createdAt) {

	/**
	 * The position where this segment starts.
	 * @return the position
	 */
	public Pos pos() {
		return new Pos(this.generation, this.index, this.offset);
	}

}

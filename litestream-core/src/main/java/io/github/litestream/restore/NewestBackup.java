package io.github.litestream.restore;

import java.time.Instant;
import java.util.Objects;

import io.github.litestream.replica.Pos;

/**
 * The newest point a latest restore can reach in one replica, as its listings show it (see
 * {@link RestorePlanner#newestBackup()}).
 *
 * @param generation the generation a latest restore reads: of those holding a snapshot, the
 * one whose newest object is newest
 * @param index that generation's highest WAL index
 * @param updatedAt when the replica stored that generation's newest object (snapshot or WAL
 * segment): S3 {@code LastModified}, a file's modification time
 */
public record NewestBackup(String generation, long index, Instant updatedAt) {

	/**
	 * Checks the components.
	 * @param generation the generation
	 * @param index the index
	 * @param updatedAt the time of the newest object
	 */
	public NewestBackup {
		Objects.requireNonNull(generation, "generation");
		Objects.requireNonNull(updatedAt, "updatedAt");
	}

	@Override
	public String toString() {
		return this.updatedAt + " (generation " + this.generation + ", index " + Pos.hex(this.index) + ")";
	}

}

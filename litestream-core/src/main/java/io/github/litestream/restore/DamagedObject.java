package io.github.litestream.restore;

import io.github.litestream.replica.Pos;

/**
 * A replica object a restore needed but could not use: missing, truncated, corrupt or not
 * contiguous with its neighbours. It tells a fallback what to avoid.
 *
 * @param generation the generation holding it
 * @param index the snapshot's index, or the WAL index the segment belongs to
 * @param snapshot whether it is a snapshot (otherwise WAL of that index)
 */
public record DamagedObject(String generation, long index, boolean snapshot) {

	static DamagedObject snapshot(String generation, long index) {
		return new DamagedObject(generation, index, true);
	}

	static DamagedObject wal(String generation, long index) {
		return new DamagedObject(generation, index, false);
	}

	@Override
	public String toString() {
		return (this.snapshot ? "snapshot" : "WAL") + " generation=" + this.generation + " index="
				+ Pos.hex(this.index);
	}

}

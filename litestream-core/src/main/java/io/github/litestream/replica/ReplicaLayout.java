package io.github.litestream.replica;

import java.util.Optional;


/**
 * Litestream v0.3's object names, relative to a replica's root.
 *
 * <pre>
 * generations/&lt;gen&gt;/snapshots/&lt;index&gt;.snapshot.lz4
 * generations/&lt;gen&gt;/wal/&lt;index&gt;_&lt;offset&gt;.wal.lz4
 * </pre>
 *
 * Names read from a replica are parsed strictly; anything else is ignored, so a stray file
 * can never become part of a key we build.
 */
public final class ReplicaLayout {

	/** The directory holding all generations. */
	public static final String GENERATIONS = "generations";

	private static final String SNAPSHOT_SUFFIX = ".snapshot.lz4";

	private static final String WAL_SEGMENT_SUFFIX = ".wal.lz4";

	private ReplicaLayout() {
	}

	/**
	 * The directory of one generation.
	 * @param generation the generation
	 * @return {@code generations/<gen>}
	 */
	public static String generationDir(String generation) {
		requireGeneration(generation);
		return GENERATIONS + "/" + generation;
	}

	/**
	 * The directory of a generation's snapshots.
	 * @param generation the generation
	 * @return {@code generations/<gen>/snapshots}
	 */
	public static String snapshotsDir(String generation) {
		return generationDir(generation) + "/snapshots";
	}

	/**
	 * The directory of a generation's WAL segments.
	 * @param generation the generation
	 * @return {@code generations/<gen>/wal}
	 */
	public static String walDir(String generation) {
		return generationDir(generation) + "/wal";
	}

	/**
	 * The name of a snapshot file.
	 * @param index the index
	 * @return {@code <index>.snapshot.lz4}
	 */
	public static String snapshotName(long index) {
		return Pos.hex(index) + ".snapshot.lz4";
	}

	/**
	 * The key of a snapshot.
	 * @param generation the generation
	 * @param index the index
	 * @return the relative key
	 */
	public static String snapshotKey(String generation, long index) {
		return snapshotsDir(generation) + "/" + snapshotName(index);
	}

	/**
	 * The name of a WAL segment file.
	 * @param pos where the segment starts
	 * @return {@code <index>_<offset>.wal.lz4}
	 * @throws IllegalArgumentException if the segment starts past the 4 GiB that the name's
	 * 8 hex digits hold
	 */
	public static String walSegmentName(Pos pos) {
		if (pos.offset() > Pos.MAX_INDEX) {
			throw new IllegalArgumentException("No WAL segment can start at " + pos
					+ ": segment names hold an offset of at most 8 hex digits (4 GiB)");
		}
		return Pos.hex(pos.index()) + "_" + Pos.hex(pos.offset()) + ".wal.lz4";
	}

	/**
	 * The key of a WAL segment.
	 * @param pos where the segment starts
	 * @return the relative key
	 */
	public static String walSegmentKey(Pos pos) {
		return walDir(pos.generation()) + "/" + walSegmentName(pos);
	}

	/**
	 * Parses a snapshot file name.
	 * @param name a file name (no directories)
	 * @return its index, or empty if the name is not a snapshot's
	 */
	public static Optional<Long> parseSnapshotName(String name) {
		// 00000001.snapshot.lz4
		long index = (name.length() == 8 + SNAPSHOT_SUFFIX.length() && name.endsWith(SNAPSHOT_SUFFIX))
				? Pos.lowerHex(name, 0, 8) : -1;
		return (index >= 0) ? Optional.of(index) : Optional.empty();
	}

	/**
	 * Parses a WAL segment file name.
	 * @param generation the generation the file is in
	 * @param name a file name (no directories)
	 * @return its position, or empty if the name is not a WAL segment's
	 */
	public static Optional<Pos> parseWalSegmentName(String generation, String name) {
		// 00000001_00001f40.wal.lz4
		if (name.length() != 17 + WAL_SEGMENT_SUFFIX.length() || name.charAt(8) != '_'
				|| !name.endsWith(WAL_SEGMENT_SUFFIX)) {
			return Optional.empty();
		}
		long index = Pos.lowerHex(name, 0, 8);
		long offset = Pos.lowerHex(name, 9, 17);
		return (index >= 0 && offset >= 0) ? Optional.of(new Pos(generation, index, offset)) : Optional.empty();
	}

	private static void requireGeneration(String generation) {
		if (!Pos.isGeneration(generation)) {
			throw new IllegalArgumentException("Invalid generation '" + generation + "': expected 16 lowercase hex characters");
		}
	}

}

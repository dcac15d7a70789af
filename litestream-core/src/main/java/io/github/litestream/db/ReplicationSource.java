package io.github.litestream.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

import io.github.litestream.replica.Pos;

/**
 * What a replica and its validation read from a replicated database: the position, the shadow
 * WAL it has not shipped, a snapshot of the database file and a checksum at a fresh index.
 * {@link ReplicatedDatabase} is the one production implementation; replicas depend only on
 * this, so they can be tested without a live database.
 */
public interface ReplicationSource {

	/**
	 * The database file.
	 * @return its absolute path
	 */
	Path path();

	/**
	 * The end of the shadow WAL, once open; safe to call from any thread.
	 * @return the position
	 */
	Optional<Pos> position();

	/**
	 * Whether the replica at {@code location} can hold nothing of a generation: this database
	 * began it since it was opened, under a new random name that no other process knows before
	 * this one uploads under it, and no replica there asked before (which may have written to
	 * it). Such a replica need not list the generation: a request saved per replica of each new
	 * generation. Answers {@code true} at most once per generation and location.
	 * @param generation a generation
	 * @param location the replica's {@link io.github.litestream.replica.ReplicaClient#location()}
	 * @return {@code true} if the replica holds nothing of it; {@code false} (the default) when
	 * unknown
	 */
	default boolean claimNewGeneration(String generation, String location) {
		return false;
	}

	/**
	 * The shadow WAL bytes a replica at {@code from} has not shipped: the rest of that index,
	 * or, when it has all of it, the start of the next index.
	 * @param from the replica's position, in the current generation
	 * @return the bytes to ship, or empty when the replica is up to date
	 * @throws ShadowWalMissingException if that part of the shadow WAL is no longer kept
	 * @throws IOException if the position is not in the current generation or beyond its end
	 */
	Optional<ShadowWalSegment> pendingWal(Pos from) throws IOException;

	/**
	 * Streams the database file for a snapshot. No checkpoint runs meanwhile, and the engine's
	 * read transaction pins the WAL index, so the file is the state at the start of the
	 * returned position's index plus some of that index's frames; restoring replays the whole
	 * index on top of it.
	 * @param <T> what the consumer returns
	 * @param consumer receives the position and the file's bytes
	 * @return what the consumer returned
	 * @throws IOException if the file cannot be read or the consumer fails
	 */
	<T> T snapshot(SnapshotConsumer<T> consumer) throws IOException;

	/**
	 * Like {@link #snapshot(SnapshotConsumer)}, but gives up instead of waiting while another
	 * snapshot reads the file (its upload may take minutes); it still waits for a checkpoint to
	 * end. For a snapshot that can as well be taken later, begun by a thread that must not stall.
	 * @param <T> what the consumer returns
	 * @param consumer receives the position and the file's bytes; not called when busy
	 * @return what the consumer returned, or empty when the file is busy
	 * @throws IOException if the file cannot be read or the consumer fails
	 */
	default <T> Optional<T> snapshotUnlessBusy(SnapshotConsumer<T> consumer) throws IOException {
		return Optional.of(snapshot(consumer));
	}

	/**
	 * Starts a new WAL index and streams the database file as it is at that index's start,
	 * before any of its frames: a snapshot that can be stored before any WAL of its index. No
	 * checkpoint runs until the consumer returns, and the application's commits meanwhile go to
	 * the new index's WAL only.
	 * @param <T> what the consumer returns
	 * @param consumer receives the new index's start (offset 0) and the file's bytes; it is not
	 * called when no new index could be started
	 * @return what the consumer returned
	 * @throws IOException if no new index could be started (the database is busy, or a read
	 * transaction pins the WAL), the file cannot be read or the consumer fails
	 */
	<T> T snapshotAtNewIndex(SnapshotConsumer<T> consumer) throws IOException;

	/**
	 * Forces a RESTART checkpoint that starts a new WAL index and checksums the database file
	 * right then: the file holds exactly the state at the end of the previous index, which a
	 * replica restored up to that index must reproduce byte for byte.
	 * @return the checksum and the position of the new index's start
	 * @throws IOException if no new index could be started (the database is busy, or a read
	 * transaction pins the WAL: the checkpoint does not wait for it) or the file cannot be read
	 */
	DatabaseChecksum checksumAtNewIndex() throws IOException;

	/**
	 * Forces a RESTART checkpoint that starts a new WAL index, so that a snapshot taken next gets
	 * a key of its own (snapshot keys name only their index).
	 * @throws IOException if no new index could be started (the database is busy, or a read
	 * transaction pins the WAL)
	 */
	void startNewIndex() throws IOException;

	/**
	 * Makes the next step start a new generation: a replica shows that continuity cannot hold.
	 * @param reason why, for the log and the listeners
	 */
	void requestNewGeneration(String reason);

	/**
	 * Receives the database file's bytes for a snapshot.
	 *
	 * @param <T> what it returns
	 */
	@FunctionalInterface
	interface SnapshotConsumer<T> {

		/**
		 * Consumes the database file.
		 * @param position the position whose index the snapshot starts
		 * @param database the file's bytes
		 * @return a result
		 * @throws IOException if it fails
		 */
		T accept(Pos position, InputStream database) throws IOException;

	}

	/**
	 * A checksum of the database file at the start of a WAL index.
	 *
	 * @param position the start of the index
	 * @param crc32c the CRC-32C of the whole file
	 */
	record DatabaseChecksum(Pos position, long crc32c) {
	}

}

package io.github.litestream.replica;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Optional;


/**
 * Storage for one replica: generations, snapshots and WAL segments laid out as Litestream
 * v0.3 does (see {@link ReplicaLayout}).
 *
 * <p>A backend only moves opaque bytes: the data passed to the write methods and returned by
 * the read methods is already LZ4-compressed. Each backend lives in its own package. Methods
 * throw {@link ReplicaObjectNotFoundException} for a missing object and never return partially
 * written objects: a write is visible under its final name only when it is complete.
 */
public interface ReplicaClient extends Closeable {

	/**
	 * The backend type, as used in configuration ({@code file}, {@code s3}).
	 * @return the type
	 */
	String type();

	/**
	 * Where the replica lives, for logs and endpoints; never contains credentials.
	 * @return a description such as {@code s3://bucket/path} or a directory
	 */
	String location();

	/**
	 * Whether reading this replica is limited by the processor rather than by waiting: objects
	 * in a local directory arrive as fast as they can be decompressed, so reading more of them
	 * at once than there are processors only makes the readers take turns.
	 * @return {@code true} for local storage; {@code false} (the default) for a network store
	 */
	default boolean readsLocally() {
		return false;
	}

	/**
	 * Lists the generations present. Names that are not valid generations are ignored.
	 * @return generation names, sorted
	 * @throws IOException if the replica cannot be read
	 */
	List<String> generations() throws IOException;

	/**
	 * Lists a generation's snapshots.
	 * @param generation the generation
	 * @return its snapshots sorted by index; empty if the generation does not exist
	 * @throws IOException if the replica cannot be read
	 */
	List<SnapshotInfo> snapshots(String generation) throws IOException;

	/**
	 * Lists a generation's WAL segments.
	 * @param generation the generation
	 * @return its segments sorted by index, then offset; empty if the generation does not exist
	 * @throws IOException if the replica cannot be read
	 */
	List<WalSegmentInfo> walSegments(String generation) throws IOException;

	/**
	 * Stores a snapshot, replacing any snapshot at the same index.
	 * @param generation the generation
	 * @param index the WAL index the snapshot starts
	 * @param lz4 the LZ4-compressed database; read to its end, not closed
	 * @return the stored snapshot
	 * @throws IOException if it cannot be written; nothing is then visible
	 */
	SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException;

	/**
	 * Opens a snapshot for reading.
	 * @param generation the generation
	 * @param index the index
	 * @return the LZ4-compressed bytes; the caller closes it
	 * @throws ReplicaObjectNotFoundException if there is no such snapshot
	 * @throws IOException if it cannot be read
	 */
	InputStream openSnapshot(String generation, long index) throws IOException;

	/**
	 * Stores a WAL segment.
	 * @param pos where the segment starts
	 * @param lz4 the LZ4-compressed WAL bytes; read to its end, not closed
	 * @return the stored segment
	 * @throws IOException if it cannot be written; nothing is then visible
	 */
	WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException;

	/**
	 * Opens a WAL segment for reading.
	 * @param pos where the segment starts
	 * @return the LZ4-compressed bytes; the caller closes it
	 * @throws ReplicaObjectNotFoundException if there is no such segment
	 * @throws IOException if it cannot be read
	 */
	InputStream openWalSegment(Pos pos) throws IOException;

	/**
	 * Deletes a snapshot; deleting a missing snapshot is not an error.
	 * @param generation the generation
	 * @param index the index
	 * @throws IOException if it cannot be deleted
	 */
	void deleteSnapshot(String generation, long index) throws IOException;

	/**
	 * Deletes WAL segments; missing ones are ignored.
	 * @param segments where each segment starts
	 * @throws IOException if they cannot be deleted
	 */
	void deleteWalSegments(Collection<Pos> segments) throws IOException;

	/**
	 * Deletes a whole generation; a missing generation is not an error.
	 * @param generation the generation
	 * @throws IOException if it cannot be deleted
	 */
	void deleteGeneration(String generation) throws IOException;

	/**
	 * Lists the databases stored below this replica's root by directory replication (each
	 * under {@code <root>/<path relative to the directory>/}), for restoring a whole directory.
	 * @param recursive whether to look below the first level too
	 * @return the relative paths, {@code /}-separated and sorted, of the prefixes holding a
	 * {@code generations} tree
	 * @throws IOException if the replica cannot be listed
	 * @throws UnsupportedOperationException if this backend cannot list them (the default)
	 */
	default List<String> databasesBelow(boolean recursive) throws IOException {
		throw new UnsupportedOperationException(
				type() + " replicas cannot list the databases of a directory yet; restore them one by one");
	}

	/**
	 * The store's conditional writes, which a lease on this replica is kept with.
	 * @return them, or empty if this backend cannot write conditionally (the default)
	 */
	default Optional<ConditionalObjects> conditionalObjects() {
		return Optional.empty();
	}

	@Override
	default void close() throws IOException {
	}

}

package io.github.litestream.replica;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

import io.github.litestream.age.AgeException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Works out how far a replica has been written, from the replica itself: the end of its newest
 * WAL segment (whose uncompressed length is only known by reading it), or the start of its
 * newest snapshot's index when it has no segment yet. An encrypted replica that cannot read its
 * newest segment (no identity configured) continues from that segment's start instead.
 */
public final class ReplicaPositions {

	private static final Logger logger = LoggerFactory.getLogger(ReplicaPositions.class);

	private ReplicaPositions() {
	}

	static Stored find(ReplicaClient client, String generation, SnapshotInfo latestSnapshot) throws IOException {
		List<WalSegmentInfo> segments = client.walSegments(generation);
		Optional<LastSegment> last = last(client, generation, segments);
		long afterGap = (latestSnapshot != null) ? indexAfterGap(segments, latestSnapshot.index()) : -1;
		// Listed sorted by index: what retention needs to know of the WAL below its snapshots.
		long walFloor = segments.isEmpty() ? Long.MAX_VALUE : segments.get(0).index();
		if (last.isPresent()) {
			return new Stored(last.get().end(), afterGap, last.get(), walFloor);
		}
		if (latestSnapshot == null) {
			throw new IOException("Replica " + client.location() + " has no snapshot in generation " + generation);
		}
		return new Stored(new Pos(generation, latestSnapshot.index(), 0), -1, null, walFloor);
	}

	/**
	 * The first index with segments after an index without any, past the latest snapshot: the
	 * replica's WAL resumed after a gap (a catch-up snapshot was begun but never stored), and
	 * nothing from there on restores until a snapshot at or past it is stored.
	 * @return the index, or -1 if the WAL after the snapshot has no gap
	 */
	private static long indexAfterGap(List<WalSegmentInfo> segments, long snapshotIndex) {
		long expected = snapshotIndex;
		for (WalSegmentInfo segment : segments) {
			if (segment.index() <= snapshotIndex) {
				continue;
			}
			if (segment.index() > expected + 1) {
				return segment.index();
			}
			expected = segment.index();
		}
		return -1;
	}

	/**
	 * How far a replica was written.
	 * @param end the end of its newest WAL segment, or of its newest snapshot's index start
	 * @param unrestorableFrom the first index past a gap in its WAL that no snapshot covers, or -1
	 * @param last its newest WAL segment, or {@code null} if it has none
	 * @param walFloor the lowest index of its WAL segments, {@link Long#MAX_VALUE} if it has none
	 */
	record Stored(Pos end, long unrestorableFrom, @Nullable LastSegment last, long walFloor) {
	}

	/**
	 * A replica's newest WAL segment, as read.
	 * @param start where it starts
	 * @param length its length, uncompressed; -1 if it could not be decrypted (no identity)
	 * @param crc the CRC-32C of its uncompressed bytes, when its length is known
	 */
	record LastSegment(Pos start, long length, long crc) {

		Pos end() {
			return (this.length < 0) ? this.start
					: new Pos(this.start.generation(), this.start.index(), this.start.offset() + this.length);
		}

	}

	/**
	 * The end of the newest WAL segment of a generation: one listing, and one segment read.
	 * @param client the replica
	 * @param generation the generation
	 * @return the position after its last byte, or empty when the generation has no segment
	 * @throws IOException if the replica cannot be listed or the segment read
	 */
	public static Optional<Pos> end(ReplicaClient client, String generation) throws IOException {
		return newest(client, generation).map(LastSegment::end);
	}

	static Optional<LastSegment> newest(ReplicaClient client, String generation) throws IOException {
		return last(client, generation, client.walSegments(generation));
	}

	private static Optional<LastSegment> last(ReplicaClient client, String generation, List<WalSegmentInfo> segments)
			throws IOException {
		if (segments.isEmpty()) {
			return Optional.empty();
		}
		WalSegmentInfo last = segments.get(segments.size() - 1);
		try (InputStream in = Lz4.decompress(client.openWalSegment(last.pos()))) {
			ChecksumSink sink = new ChecksumSink();
			long length = in.transferTo(sink);
			return Optional.of(new LastSegment(last.pos(), length, sink.crc.getValue()));
		}
		catch (AgeException ex) {
			if (ex.kind() != AgeException.Kind.NO_MATCH || !(client instanceof AgeReplicaClient)) {
				// Never rewrite an encrypted segment unencrypted because the keys were removed.
				throw ex;
			}
			// An encrypted replica configured with recipients only: the segment's length is
			// unknowable, but its start is not. Shipping from there rewrites the segment under
			// its own key with the same bytes and what followed them, which is always correct.
			logger.info("{}; the replica continues from the start of that segment, which it rewrites "
					+ "(configure age.identities to avoid the rewrite and to restore)", ex.getMessage());
			return Optional.of(new LastSegment(last.pos(), -1, 0));
		}
	}

	/**
	 * Whether the first bytes of a stream are the segment's: its length in bytes with the same
	 * CRC-32C.
	 * @param last the segment as read from the replica, its length known
	 * @param local bytes from the same position, at least as many
	 * @return {@code false} if they differ
	 * @throws IOException if the stream cannot be read
	 */
	static boolean matches(LastSegment last, InputStream local) throws IOException {
		CRC32C crc = new CRC32C();
		byte[] buffer = new byte[64 * 1024];
		long remaining = last.length();
		while (remaining > 0) {
			int read = local.read(buffer, 0, (int) Math.min(buffer.length, remaining));
			if (read < 0) {
				return false;
			}
			crc.update(buffer, 0, read);
			remaining -= read;
		}
		return crc.getValue() == last.crc();
	}

	/** Keeps only the CRC-32C of what is written to it. */
	private static final class ChecksumSink extends java.io.OutputStream {

		final CRC32C crc = new CRC32C();

		@Override
		public void write(int b) {
			this.crc.update(b);
		}

		@Override
		public void write(byte[] b, int off, int len) {
			this.crc.update(b, off, len);
		}

	}

}

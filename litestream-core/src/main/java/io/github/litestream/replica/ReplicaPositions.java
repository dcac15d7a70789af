package io.github.litestream.replica;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

import io.github.litestream.age.AgeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Works out how far a replica has been written, from the replica itself: the end of its newest
 * WAL segment (whose uncompressed length is only known by reading it), or the start of its
 * newest snapshot's index when it has no segment yet. An encrypted replica that cannot read its
 * newest segment (no identity configured) continues from that segment's start instead.
 */
final class ReplicaPositions {

	private static final Logger logger = LoggerFactory.getLogger(ReplicaPositions.class);

	private ReplicaPositions() {
	}

	static Pos find(ReplicaClient client, String generation, SnapshotInfo latestSnapshot) throws IOException {
		Optional<Pos> end = end(client, generation);
		if (end.isPresent()) {
			return end.get();
		}
		if (latestSnapshot == null) {
			throw new IOException("Replica " + client.location() + " has no snapshot in generation " + generation);
		}
		return new Pos(generation, latestSnapshot.index(), 0);
	}

	/**
	 * The end of the newest WAL segment of a generation.
	 * @return the position after its last byte, or empty when the generation has no segment
	 */
	static Optional<Pos> end(ReplicaClient client, String generation) throws IOException {
		List<WalSegmentInfo> segments = client.walSegments(generation);
		if (segments.isEmpty()) {
			return Optional.empty();
		}
		WalSegmentInfo last = segments.get(segments.size() - 1);
		try (InputStream in = Lz4.decompress(client.openWalSegment(last.pos()))) {
			long length = in.transferTo(OutputStreamSink.INSTANCE);
			return Optional.of(new Pos(generation, last.index(), last.offset() + length));
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
			return Optional.of(last.pos());
		}
	}

	/** Discards what is written to it. */
	private static final class OutputStreamSink extends java.io.OutputStream {

		static final OutputStreamSink INSTANCE = new OutputStreamSink();

		@Override
		public void write(int b) {
		}

		@Override
		public void write(byte[] b, int off, int len) {
		}

	}

}

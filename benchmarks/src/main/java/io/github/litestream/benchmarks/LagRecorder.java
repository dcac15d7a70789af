package io.github.litestream.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.litestream.benchmarks.CommitTracker.CommitPoint;
import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaListener;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * Time from each commit to the WAL segment holding it being stored in one replica. Commits
 * are recorded with their place in the WAL ({@link CommitTracker}); stored segments with the
 * time the client returned; afterwards the WAL's salts are mapped to the engine's WAL indexes
 * by reading the header at the start of each index's first segment.
 */
final class LagRecorder {

	private final Replica replica;

	private final List<Shipped> shipped = new CopyOnWriteArrayList<>();

	private final List<Commit> commits = new ArrayList<>();

	private int unmatched;

	/**
	 * Starts recording what the replica stores.
	 * @param replica the replica, before the commits to measure
	 */
	LagRecorder(Replica replica) {
		this.replica = replica;
		replica.addListener(new ReplicaListener() {
			@Override
			public void onWalSegment(Pos start, long bytes, Duration took) {
				LagRecorder.this.shipped.add(new Shipped(System.nanoTime(), replica.position().orElseThrow()));
			}
		});
	}

	/**
	 * Records a commit that just returned.
	 * @param point where it ends in the WAL
	 */
	void committed(CommitPoint point) {
		this.commits.add(new Commit(System.nanoTime(), point));
	}

	/**
	 * The lag of every commit matched to a stored segment, in milliseconds.
	 * @param client the replica's client, to read the WAL headers
	 * @return the lags
	 * @throws IOException if the replica cannot be read
	 */
	double[] lags(ReplicaClient client) throws IOException {
		Map<Long, Pos> starts = indexesBySalts(client);
		double[] lags = new double[this.commits.size()];
		int n = 0;
		this.unmatched = 0;
		for (Commit commit : this.commits) {
			Pos start = starts.get(commit.point().salts());
			Shipped covering = null;
			if (start != null) {
				Pos target = new Pos(start.generation(), start.index(), commit.point().end());
				covering = this.shipped.stream()
					.filter((s) -> s.at() >= commit.at() && s.position().generation().equals(target.generation())
							&& s.position().compareTo(target) >= 0)
					.findFirst()
					.orElse(null);
			}
			if (covering == null) {
				this.unmatched++;
				continue;
			}
			lags[n++] = (covering.at() - commit.at()) / 1e6;
		}
		return Arrays.copyOf(lags, n);
	}

	/**
	 * How many commits {@link #lags} could not match to a stored segment.
	 * @return the count
	 */
	int unmatched() {
		return this.unmatched;
	}

	Replica replica() {
		return this.replica;
	}

	/** Reads the WAL header at the start of every index the replica holds: salts → index. */
	private Map<Long, Pos> indexesBySalts(ReplicaClient client) throws IOException {
		Map<Long, Pos> starts = new HashMap<>();
		for (String generation : this.shipped.stream().map((s) -> s.position().generation()).distinct().toList()) {
			for (WalSegmentInfo segment : client.walSegments(generation)) {
				if (segment.offset() != 0) {
					continue;
				}
				try (InputStream in = Lz4.decompress(client.openWalSegment(segment.pos()))) {
					ByteBuffer header = ByteBuffer.wrap(in.readNBytes(32)).order(ByteOrder.BIG_ENDIAN);
					long salts = ((long) header.getInt(16) << 32) | (header.getInt(20) & 0xffffffffL);
					starts.put(salts, segment.pos());
				}
			}
		}
		return starts;
	}

	private record Commit(long at, CommitPoint point) {
	}

	private record Shipped(long at, Pos position) {
	}

}

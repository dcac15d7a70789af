package io.github.litestream.boot.actuate;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import io.github.litestream.boot.actuate.LitestreamEndpoint.GenerationDescriptor;
import io.github.litestream.boot.actuate.LitestreamEndpoint.ReplicaContentsDescriptor;
import io.github.litestream.boot.actuate.LitestreamEndpoint.SnapshotDescriptor;
import io.github.litestream.boot.actuate.LitestreamEndpoint.WalSegmentDescriptor;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * Lists what a replica holds, as Litestream's {@code generations}, {@code snapshots} and
 * {@code wal} commands do. A replica written every second holds tens of thousands of WAL
 * segments within a day's retention, so only the newest {@value #MAX_WAL_SEGMENTS} are listed
 * and the rest are counted.
 */
final class ReplicaContentsReader {

	static final int MAX_WAL_SEGMENTS = 1000;

	ReplicaContentsDescriptor read(Replica replica) {
		ReplicaClient client = replica.client();
		String current = replica.database().position().map(Pos::generation).orElse(null);
		List<GenerationDescriptor> generations = new ArrayList<>();
		List<SnapshotDescriptor> snapshots = new ArrayList<>();
		List<WalSegmentDescriptor> segments = new ArrayList<>();
		try {
			for (String generation : client.generations()) {
				List<SnapshotInfo> generationSnapshots = client.snapshots(generation);
				List<WalSegmentInfo> generationSegments = client.walSegments(generation);
				generations.add(describe(generation, generation.equals(current), generationSnapshots, generationSegments));
				generationSnapshots.forEach((snapshot) -> snapshots.add(new SnapshotDescriptor(snapshot.generation(),
						Pos.hex(snapshot.index()), snapshot.size(), snapshot.createdAt())));
				generationSegments.forEach((segment) -> segments.add(new WalSegmentDescriptor(segment.generation(),
						Pos.hex(segment.index()), Pos.hex(segment.offset()), segment.size(), segment.createdAt())));
			}
		}
		catch (IOException | RuntimeException ex) {
			return new ReplicaContentsDescriptor(replica.name(), generations, snapshots, newest(segments),
					omitted(segments), Objects.toString(ex.getMessage(), ex.getClass().getSimpleName()));
		}
		return new ReplicaContentsDescriptor(replica.name(), generations, snapshots, newest(segments),
				omitted(segments), null);
	}

	private static GenerationDescriptor describe(String generation, boolean current, List<SnapshotInfo> snapshots,
			List<WalSegmentInfo> segments) {
		List<Instant> times = Stream
			.concat(snapshots.stream().map(SnapshotInfo::createdAt), segments.stream().map(WalSegmentInfo::createdAt))
			.filter(Objects::nonNull)
			.sorted()
			.toList();
		Instant start = times.isEmpty() ? null : times.get(0);
		Instant end = times.isEmpty() ? null : times.get(times.size() - 1);
		return new GenerationDescriptor(generation, current, start, end, snapshots.size(), segments.size());
	}

	private static List<WalSegmentDescriptor> newest(List<WalSegmentDescriptor> segments) {
		// By time, not by generation name: generation names are random, so the current
		// generation's segments may come first in the listing. The sort is stable, so segments
		// stored in the same instant keep their index and offset order.
		List<WalSegmentDescriptor> byTime = new ArrayList<>(segments);
		byTime.sort(Comparator.comparing(WalSegmentDescriptor::createdAt,
				Comparator.nullsFirst(Comparator.naturalOrder())));
		return List.copyOf(byTime.subList(Math.max(0, byTime.size() - MAX_WAL_SEGMENTS), byTime.size()));
	}

	private static int omitted(List<WalSegmentDescriptor> segments) {
		return Math.max(0, segments.size() - MAX_WAL_SEGMENTS);
	}

}

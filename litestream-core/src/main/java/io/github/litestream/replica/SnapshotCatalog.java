package io.github.litestream.replica;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a replica knows about its own snapshots, so that scheduling and retention decisions
 * need no listing while nothing changes. Refreshed from the replica when the generation
 * changes, updated as snapshots are written and deleted.
 */
final class SnapshotCatalog {

	private final Map<String, List<SnapshotInfo>> byGeneration = new ConcurrentHashMap<>();

	/** Generations whose snapshots were listed (or are known to be none), not only added to. */
	private final Set<String> known = ConcurrentHashMap.newKeySet();

	void refresh(ReplicaClient client, String generation) throws IOException {
		replace(generation, client.snapshots(generation));
	}

	void replace(String generation, List<SnapshotInfo> snapshots) {
		List<SnapshotInfo> sorted = new ArrayList<>(snapshots);
		sorted.sort(Comparator.comparingLong(SnapshotInfo::index));
		this.byGeneration.put(generation, List.copyOf(sorted));
		this.known.add(generation);
	}

	/**
	 * Whether every snapshot of the generation is known: it was listed (or known to be new)
	 * since, and every snapshot written or deleted since was recorded here.
	 */
	boolean knows(String generation) {
		return this.known.contains(generation);
	}

	void add(SnapshotInfo snapshot) {
		this.byGeneration.compute(snapshot.generation(), (generation, known) -> {
			List<SnapshotInfo> updated = new ArrayList<>((known != null) ? known : List.of());
			updated.removeIf((existing) -> existing.index() == snapshot.index());
			updated.add(snapshot);
			updated.sort(Comparator.comparingLong(SnapshotInfo::index));
			return List.copyOf(updated);
		});
	}

	boolean isEmpty(String generation) {
		return all(generation).isEmpty();
	}

	List<SnapshotInfo> all(String generation) {
		return this.byGeneration.getOrDefault(generation, List.of());
	}

	/** The snapshot with the highest index, or {@code null}. */
	SnapshotInfo latest(String generation) {
		List<SnapshotInfo> all = all(generation);
		return all.isEmpty() ? null : all.get(all.size() - 1);
	}

	/** The snapshot created first, or {@code null}. */
	SnapshotInfo oldest(String generation) {
		return all(generation).stream().min(Comparator.comparing(SnapshotInfo::createdAt)).orElse(null);
	}

	int count(String generation) {
		return all(generation).size();
	}

}

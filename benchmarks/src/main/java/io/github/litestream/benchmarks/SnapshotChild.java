package io.github.litestream.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;

import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.file.FileReplicaClient;

/**
 * The snapshot scenario's child JVM (started with a small {@code -Xmx}): opens a database for
 * replication, writes one snapshot to a file replica and prints
 * {@code nanos=… peakHeap=… snapshotBytes=… maxHeap=…}. The peak heap is the sum of every
 * heap pool's peak since just before the snapshot, an upper bound of the real peak.
 */
public final class SnapshotChild {

	private SnapshotChild() {
	}

	/**
	 * Runs the snapshot.
	 * @param args the database file and the replica directory
	 * @throws Exception if the snapshot fails (the exit code is then non-zero)
	 */
	public static void main(String[] args) throws Exception {
		Path db = Path.of(args[0]);
		FileReplicaClient client = new FileReplicaClient(Path.of(args[1]));
		try (ReplicatedDatabase database = new ReplicatedDatabase(DatabaseOptions.defaults(db))) {
			database.open();
			Replica replica = new Replica(database, client, ReplicaOptions.defaults("file"));
			System.gc();
			ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
			long started = System.nanoTime();
			SnapshotInfo snapshot = replica.snapshot();
			long nanos = System.nanoTime() - started;
			long peak = ManagementFactory.getMemoryPoolMXBeans()
				.stream()
				.filter((pool) -> pool.getType() == MemoryType.HEAP)
				.mapToLong((pool) -> pool.getPeakUsage().getUsed())
				.sum();
			System.out.println("nanos=" + nanos + " peakHeap=" + peak + " snapshotBytes=" + snapshot.size()
					+ " maxHeap=" + Runtime.getRuntime().maxMemory());
		}
	}

}

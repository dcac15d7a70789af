package io.github.litestream.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.replica.s3.S3ClientFactory;
import io.github.litestream.replica.s3.S3Connection;
import io.github.litestream.replica.s3.S3ReplicaClient;
import io.github.litestream.replica.s3.S3ReplicaConfig;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;

/**
 * The cold-restore scenario's child JVM: what restore-on-boot does in a fresh process, and
 * nothing else. Restores the latest state of a replica (with the integrity check every restore
 * runs) into a new file and prints {@code mainNanos=… restoredNanos=… cpuNanos=…}: the
 * {@link System#nanoTime()} when {@code main} began and when the restore ended, and the
 * process's CPU time by then. On Linux that clock is the system's monotonic clock, which the
 * parent reads too, so the parent can time the process from its start to the restored file
 * without what only this measurement needs: the management beans that read the CPU time cost
 * a fresh JVM some 30 ms, which an application restoring at boot does not spend.
 * Arguments: {@code file <dir> <output> <parallelism>} or
 * {@code s3 <url> <endpoint> <output> <parallelism>} (the secret key in {@code BENCH_S3_SECRET}).
 */
public final class RestoreChild {

	private RestoreChild() {
	}

	/**
	 * Runs one restore.
	 * @param args see the class documentation
	 * @throws Exception if the restore fails (the exit code is then non-zero)
	 */
	public static void main(String[] args) throws Exception {
		long mainNanos = System.nanoTime();
		boolean s3 = args[0].equals("s3");
		Path output = Path.of(args[s3 ? 3 : 2]);
		int parallelism = Integer.parseInt(args[s3 ? 4 : 3]);
		if (s3) {
			S3ReplicaConfig config = s3Config(args[1], args[2]);
			// As the starter does: the SDK's client is built only if something needs it.
			try (S3Connection connection = S3ClientFactory.builder().environment((name) -> null).build().connect(config);
					ReplicaClient client = new S3ReplicaClient(connection, config, ReplicaOperationListener.NONE)) {
				new Restorer().restore(client, RestoreOptions.latest(output).withParallelism(parallelism));
			}
		}
		else {
			try (ReplicaClient client = new FileReplicaClient(Path.of(args[1]))) {
				new Restorer().restore(client, RestoreOptions.latest(output).withParallelism(parallelism));
			}
		}
		long restoredNanos = System.nanoTime();
		// The process's CPU time, which a loaded machine disturbs much less than its wall time.
		long cpuNanos = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
		System.out.println("mainNanos=" + mainNanos + " restoredNanos=" + restoredNanos + " cpuNanos=" + cpuNanos);
	}

	private static S3ReplicaConfig s3Config(String url, String endpoint) {
		return S3ReplicaConfig.builder()
			.url(url)
			.endpoint(endpoint)
			.credentials(S3Server.ACCESS_KEY_ID, System.getenv(S3ServerProcess.SECRET_VARIABLE))
			.build();
	}

}

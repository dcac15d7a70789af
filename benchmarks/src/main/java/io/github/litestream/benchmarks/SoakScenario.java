package io.github.litestream.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

import io.github.litestream.ConsistencyOracle;
import io.github.litestream.ConsistentWriter;
import io.github.litestream.KilledWriter;
import io.github.litestream.ReplicationTimeline.LossWindow;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.replica.s3.S3ConsistentWriter;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;

/**
 * Kill/restore cycles: a child JVM replicates a database whose every transaction changes a
 * few random pages (snapshots and time-based checkpoints every second) and is killed with
 * SIGKILL, right after a snapshot or at a random moment; its replica (a directory or S3Proxy,
 * in turn) is then restored at the latest point and at random points in time. Every restore
 * must equal exactly one committed state (the tests' {@link ConsistencyOracle}), no later than
 * its timestamp, and the latest one must hold every transaction committed before the writer's
 * loss window (its intervals plus its replica's last steps, as the child logged them).
 */
final class SoakScenario implements Scenario {

	static final String NAME = "soak";

	/** Points in time restored per cycle, besides the latest. */
	private static final int TIMESTAMPS = 3;

	/** File times may lag the writer's clock by a tick; S3Proxy's are whole seconds. */
	private static final long FILE_SLACK_MILLIS = 20;

	private static final long S3_SLACK_MILLIS = 1000;

	@Override
	public void run(HarnessOptions options, Context context, Report report) throws Exception {
		long seed = System.nanoTime();
		SplittableRandom random = new SplittableRandom(seed);
		List<String> failures = new ArrayList<>();
		List<Double> restoreMillis = new ArrayList<>();
		List<Double> lostMillis = new ArrayList<>();
		int restores = 0;
		for (int cycle = 1; cycle <= options.soakCycles(); cycle++) {
			boolean s3 = cycle % 2 == 0;
			boolean afterSnapshot = random.nextBoolean();
			Path dir = Files.createDirectories(context.dir().resolve("cycle-" + cycle));
			String where = "cycle " + cycle + " (" + (s3 ? "s3" : "file") + ", seed " + seed + ", killed "
					+ (afterSnapshot ? "right after a snapshot" : "at a random moment") + ")";
			try (ReplicaClient client = s3 ? context.s3().newReplica(ReplicaOperationListener.NONE)
					: new FileReplicaClient(dir.resolve("replica"))) {
				String replica = s3 ? client.location() : dir.resolve("replica").toString();
				long killedAt = KilledWriter.run(s3 ? S3ConsistentWriter.class : ConsistentWriter.class, dir, replica,
						s3 ? context.s3().endpoint() : null, s3 ? context.s3().credentialsEnvironment() : Map.of(),
						afterSnapshot, random);
				ConsistencyOracle oracle = ConsistencyOracle.read(dir.resolve("history.log"));
				long started = System.nanoTime();
				int latest = restore(client, oracle, dir.resolve("latest.db"), null);
				restoreMillis.add((System.nanoTime() - started) / 1e6);
				restores++;
				LossWindow window = ConsistentWriter.lossWindow(dir.resolve("history.log"), killedAt);
				int mustSurvive = oracle.lastCommittedBefore(killedAt - window.toMillis());
				if (latest < mustSurvive) {
					failures.add(where + ": the latest restore is state " + latest + ", but " + mustSurvive
							+ " committed more than " + window + " before the kill");
				}
				int lost = oracle.lastLogged() - latest;
				lostMillis.add((lost > 0) ? (double) (killedAt - oracle.beganAtMillis(latest + 1)) : 0.0);
				restores += restorePointsInTime(client, oracle, dir, killedAt, s3 ? S3_SLACK_MILLIS : FILE_SLACK_MILLIS,
						random, where, failures);
			}
			catch (AssertionError | Exception ex) {
				failures.add(where + ": " + ex);
			}
			Disk.delete(dir);
			System.out.printf("soak %s: %d failures so far%n", where, failures.size());
		}
		failures.forEach((failure) -> report.note(NAME, failure));
		report.measure(NAME, "all", "cycles", options.soakCycles(), "");
		report.measure(NAME, "all", "restores", restores, "");
		report.measure(NAME, "all", "latest restore p50", Stats.median(restoreMillis), "ms");
		report.measure(NAME, "all", "window lost at the kill p99", Stats.percentile(lostMillis.stream().mapToDouble(Double::doubleValue).toArray(), 99), "ms");
		report.verdict(NAME, "every restore after SIGKILL is one committed state, no later than its timestamp",
				restores + " restores over " + options.soakCycles() + " cycles, " + failures.size() + " failed",
				"0 failed", failures.isEmpty());
	}

	/**
	 * Restores one point and checks it.
	 * @return the committed state it equals
	 */
	private static int restore(ReplicaClient client, ConsistencyOracle oracle, Path out, Instant timestamp)
			throws Exception {
		RestoreOptions options = RestoreOptions.latest(out);
		new Restorer().restore(client, (timestamp != null) ? options.withTimestamp(timestamp) : options);
		try {
			return oracle.check(out).state();
		}
		finally {
			Files.deleteIfExists(out);
		}
	}

	private static int restorePointsInTime(ReplicaClient client, ConsistencyOracle oracle, Path dir, long killedAt,
			long slackMillis, SplittableRandom random, String where, List<String> failures) throws Exception {
		List<String> generations = client.generations();
		if (oracle.lastLogged() == 0 || generations.isEmpty()) {
			return 0;
		}
		// Points from the first snapshot on: there is nothing to restore before it.
		long first = client.snapshots(generations.get(0))
			.stream()
			.mapToLong((snapshot) -> snapshot.createdAt().toEpochMilli())
			.min()
			.orElse(killedAt + 1);
		if (first > killedAt) {
			return 0;
		}
		TreeSet<Long> moments = new TreeSet<>();
		while (moments.size() < Math.min(TIMESTAMPS, killedAt - first + 1)) {
			moments.add(random.nextLong(first, killedAt + 1));
		}
		int previous = -1;
		for (long moment : moments) {
			int state = restore(client, oracle, dir.resolve("at-" + moment + ".db"), Instant.ofEpochMilli(moment));
			if (state > 0 && oracle.beganAtMillis(state) > moment + slackMillis) {
				failures.add(where + ": the restore to " + Instant.ofEpochMilli(moment) + " is state " + state
						+ ", which began after it");
			}
			if (state < previous) {
				failures.add(where + ": the restore to " + Instant.ofEpochMilli(moment) + " is state " + state
						+ ", earlier than " + previous + " of an earlier timestamp");
			}
			previous = state;
		}
		return moments.size();
	}

}

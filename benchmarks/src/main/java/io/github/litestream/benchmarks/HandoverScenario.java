package io.github.litestream.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.github.litestream.GracefulWriter;
import io.github.litestream.ReplicaObjects;
import io.github.litestream.StandbyScenario;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.replica.s3.S3GracefulWriter;
import io.github.litestream.replica.s3.S3ReplicaObjects;

/**
 * A primary in a child JVM and a standby in the harness's JVM on one replica
 * ({@link StandbyScenario}, the tests' own scenario with its checks): the time from the
 * primary's SIGTERM (handover: it flushes and releases its lease) or SIGKILL (takeover once the
 * lease lapsed) to the new primary's first commit. The lease's ttl is the baseline: a takeover
 * cannot beat it, a handover should not wait for it.
 */
final class HandoverScenario implements Scenario {

	static final String NAME = "handover";

	@Override
	public void run(HarnessOptions options, Context context, Report report) throws Exception {
		long ttl = StandbyScenario.LEASE.ttl().toMillis();
		for (Backend backend : Backend.values()) {
			for (boolean kill : new boolean[] { false, true }) {
				List<Double> toFirstWrite = new ArrayList<>();
				List<Double> toPromotion = new ArrayList<>();
				for (int round = 0; round < Math.max(3, options.rounds()); round++) {
					Path dir = Files.createDirectories(
							context.dir().resolve(NAME + "-" + backend.label() + "-" + kill + "-" + round));
					StandbyScenario.Result result = run(backend, dir, context, kill);
					toFirstWrite.add((double) result.millisToFirstWrite() - result.millisWaitingForTest());
					toPromotion.add((double) result.millisToPromotion());
				}
				String variant = backend.label() + (kill ? ", SIGKILL (takeover)" : ", SIGTERM (handover)");
				double median = Stats.median(toFirstWrite);
				report.measure(NAME, variant, "signal to first commit of the new primary, median", median, "ms");
				report.measure(NAME, variant, "signal to first commit, max", Collections.max(toFirstWrite), "ms");
				report.measure(NAME, variant, "signal to lease taken and file handed over, median",
						Stats.median(toPromotion), "ms");
				report.measure(NAME, variant, "median / lease ttl", median / ttl, "");
				if (!kill) {
					report.verdict(NAME, "handover after SIGTERM, " + backend.label(), Report.format(median) + " ms",
							"< 2000 ms", median < 2000);
				}
			}
		}
		report.note(NAME, "lease ttl " + ttl + " ms, standby reads the lease every "
				+ StandbyScenario.LEASE_POLL.toMillis() + " ms and polls the replica every 50 ms; the primary writes "
				+ "a transaction every millisecond or so; each round checks that nothing committed (SIGTERM) or nothing "
				+ "that reached the replica (SIGKILL) is lost, that the replica keeps one generation in the stock layout "
				+ "and restores to the last commit as the stock CLI does, and that the promotion took one lease epoch");
	}

	private static StandbyScenario.Result run(Backend backend, Path dir, Context context, boolean kill)
			throws Exception {
		if (backend == Backend.FILE) {
			Path replica = Files.createDirectories(dir.resolve("replica"));
			return new StandbyScenario(dir, ReplicaObjects.directory(replica)).childPrimary(GracefulWriter.class, replica.toString(), List.of(), Map.of(), kill,
					() -> new FileReplicaClient(replica));
		}
		String url = context.s3().newBucketUrl();
		StandbyScenario scenario = new StandbyScenario(dir, new S3ReplicaObjects(context.s3().config(url)));
		return scenario.childPrimary(S3GracefulWriter.class, url, List.of(context.s3().endpoint()),
				context.s3().credentialsEnvironment(), kill,
				() -> context.s3().replica(url, ReplicaOperationListener.NONE));
	}

}

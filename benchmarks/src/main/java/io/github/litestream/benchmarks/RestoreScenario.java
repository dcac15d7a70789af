package io.github.litestream.benchmarks;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import io.github.litestream.age.Age;
import io.github.litestream.age.AgeIdentity;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.AgeReplicaClient;
import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.replica.sftp.SftpReplicaClient;
import io.github.litestream.replica.sftp.SftpTestServer;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;

/**
 * Restores a replica holding one snapshot (half the data) and many WAL segments (the other
 * half) with parallelism 1, 8 and 16, from a file replica, S3Proxy and SFTP, against the raw
 * limit: the {@code lz4} tool decompressing the very same files into one output file; then
 * the same replica age-encrypted against the plain one, in alternating pairs.
 *
 * <p>The baseline and the restores alternate for the configured number of rounds and the
 * medians count: on a shared machine the page cache's write-back makes single runs of
 * either vary by a factor of two. Each replica gets its own rounds, after one restore that
 * warms the JIT (reported, not counted).
 */
final class RestoreScenario implements Scenario {

	/** The scenario that restores the replica only plain and encrypted, in pairs. */
	static final String ENCRYPTION_ONLY = "restore-age";

	private static final String NAME = "restore";

	private static final int ROW_BYTES = 1000;

	private static final int[] PARALLELISMS = { 1, 8, 16 };

	private final boolean encryptionOnly;

	/**
	 * The restore scenario.
	 * @param encryptionOnly whether to skip the replicas and the baseline and only compare the
	 * file replica with its age-encrypted copy (scenario {@value #ENCRYPTION_ONLY})
	 */
	RestoreScenario(boolean encryptionOnly) {
		this.encryptionOnly = encryptionOnly;
	}

	@Override
	public void run(HarnessOptions options, Context context, Report report) throws Exception {
		if (this.encryptionOnly) {
			runEncryptionOnly(options, context, report);
			return;
		}
		SftpTestServer sftp = new SftpTestServer();
		sftp.start();
		try {
			run(options, context, report, sftp);
		}
		finally {
			sftp.stop();
		}
	}

	private void run(HarnessOptions options, Context context, Report report, SftpTestServer sftp) throws Exception {
		Path replicaDir = context.dir().resolve("replica");
		long segments = buildReplica(context.dir().resolve("app.db"), replicaDir, options);
		List<Path> files = lz4Files(replicaDir);
		long compressed = 0;
		for (Path file : files) {
			compressed += Files.size(file);
		}
		report.measure(NAME, "replica", "WAL segments", segments, "");
		report.measure(NAME, "replica", "compressed bytes", compressed / 1048576.0, "MiB");
		Map<String, ReplicaClient> replicas = new LinkedHashMap<>();
		replicas.put("file", new FileReplicaClient(replicaDir));
		replicas.put("S3Proxy", copy(replicas.get("file"), context.s3().newReplica(new OperationCounter())));
		replicas.put("SFTP", copy(replicas.get("file"), SftpReplicaClient
			.open(sftp.passwordConfig(sftp.newReplicaPath()).build(), ReplicaOperationListener.NONE)));
		Path rawOut = context.dir().resolve("raw.out");
		long decompressed = 0;
		List<Double> rawRates = new ArrayList<>();
		Map<String, Long> firstRestoreNanos = new LinkedHashMap<>();
		Map<String, List<Double>> rates = new LinkedHashMap<>();
		// Judged against the baseline only where both read local files: S3Proxy serves from the
		// same two cores.
		Set<String> judged = new HashSet<>();
		// One replica after the other: alternating them inside a round made the first file
		// restore after the S3 ones several times slower (the JIT recompiling the shared read
		// path for the other stream type), which no single restore at boot ever sees.
		for (Map.Entry<String, ReplicaClient> replica : replicas.entrySet()) {
			// The first restore in a JVM runs partly interpreted; a server restoring at boot
			// pays that, so it is reported, but the rounds measure the code, not the JIT.
			firstRestoreNanos.put(replica.getKey(), restore(replica.getValue(), RestoreOptions.DEFAULT_PARALLELISM,
					context.dir()));
			for (int round = 0; round < options.rounds(); round++) {
				long rawNanos = Lz4Cli.decompress(files, rawOut);
				decompressed = Files.size(rawOut);
				Files.delete(rawOut);
				Disk.settle();
				rawRates.add(mibPerSecond(decompressed, rawNanos));
				for (int k = 0; k < PARALLELISMS.length; k++) {
					// Each round starts with another variant, so that whatever the step after
					// the baseline pays does not always fall on the same one.
					int parallelism = PARALLELISMS[(k + round) % PARALLELISMS.length];
					long nanos = restore(replica.getValue(), parallelism, context.dir());
					String variant = replica.getKey() + ", parallelism " + parallelism;
					rates.computeIfAbsent(variant, (key) -> new ArrayList<>()).add(mibPerSecond(decompressed, nanos));
					if (replica.getValue().readsLocally()) {
						judged.add(variant);
					}
				}
			}
		}
		double rawRate = Stats.median(rawRates);
		report.measure(NAME, "baseline: lz4 -d of the same files", "decompressed", decompressed / 1048576.0, "MiB");
		report.measure(NAME, "baseline: lz4 -d of the same files", "median throughput", rawRate, "MiB/s");
		report.measure(NAME, "baseline: lz4 -d of the same files", "slowest run", Collections.min(rawRates), "MiB/s");
		report.measure(NAME, "baseline: lz4 -d of the same files", "fastest run", Collections.max(rawRates), "MiB/s");
		for (Map.Entry<String, Long> first : firstRestoreNanos.entrySet()) {
			report.measure(NAME, "first restore in the JVM, " + first.getKey() + " (not counted)", "throughput",
					mibPerSecond(decompressed, first.getValue()), "MiB/s");
		}
		BarChart chart = new BarChart("Restore of " + options.restoreMib() + " MiB, " + segments
				+ " WAL segments: median throughput", "MiB/s")
			.baseline("raw: lz4 -d of the same files", rawRate)
			.target(0.8 * rawRate, "target: 0.8 of raw", true);
		for (Map.Entry<String, List<Double>> variant : rates.entrySet()) {
			double rate = Stats.median(variant.getValue());
			report.measure(NAME, "restore from " + variant.getKey(), "median throughput (same bytes as baseline)",
					rate, "MiB/s");
			chart.bar(variant.getKey(), rate);
			if (judged.contains(variant.getKey())) {
				report.verdict(NAME, "throughput / raw lz4 -d, " + variant.getKey(), Report.format(rate / rawRate),
						">= 0.8", rate / rawRate >= 0.8);
			}
			else {
				report.measure(NAME, "restore from " + variant.getKey(), "throughput / raw lz4 -d (no target)",
						rate / rawRate, "");
			}
		}
		report.chart(NAME, chart);
		compareWithEncryption(replicas.get("file"), context.dir(), options, decompressed, report);
		report.note(NAME, "medians of " + options.rounds() + " round(s) per replica, each the baseline then the "
				+ "restores, after one restore to warm the JIT; the baseline's median is over all rounds; the "
				+ "restore also applies every "
				+ "WAL segment to the database, fsyncs and runs PRAGMA integrity_check; the raw baseline only "
				+ "decompresses local files and writes (no fsync); S3Proxy and the SFTP server (MINA SSHD, "
				+ "password login over loopback) run in the same JVM");
	}

	private void runEncryptionOnly(HarnessOptions options, Context context, Report report) throws Exception {
		Path replicaDir = context.dir().resolve("replica");
		long segments = buildReplica(context.dir().resolve("app.db"), replicaDir, options);
		report.measure(NAME, "replica", "WAL segments", segments, "");
		// The same byte count as the restore scenario's (what lz4 -d of every object gives), so
		// that the throughputs of the two scenarios compare.
		long decompressed = 0;
		for (Path file : lz4Files(replicaDir)) {
			try (InputStream in = Lz4.decompress(Files.newInputStream(file))) {
				decompressed += in.transferTo(OutputStream.nullOutputStream());
			}
		}
		compareWithEncryption(new FileReplicaClient(replicaDir), context.dir(), options, decompressed, report);
		report.note(NAME, "scenario " + ENCRYPTION_ONLY + ": the file replica and its age-encrypted copy only, "
				+ "in pairs after one restore of each to warm the JIT");
	}

	/**
	 * Restores the same replica, plain and age-encrypted (every object re-encrypted to one
	 * recipient, as Litestream's age.recipients does), at the default parallelism, alternating
	 * which goes first each round: the ratio of the medians is the cost of decryption.
	 */
	private static void compareWithEncryption(ReplicaClient plain, Path dir, HarnessOptions options,
			long decompressed, Report report) throws Exception {
		AgeIdentity identity = AgeIdentity.generate();
		ReplicaClient encrypted = new AgeReplicaClient(new FileReplicaClient(dir.resolve("replica-age")),
				List.of(identity.recipient()), List.of(identity));
		copy(plain, encrypted);
		String variant = "file, age, parallelism " + RestoreOptions.DEFAULT_PARALLELISM;
		// Warm-up, not counted: the JDK's X25519 needs a few thousand agreements (about two
		// restores) before it is compiled.
		restore(plain, RestoreOptions.DEFAULT_PARALLELISM, dir);
		restore(encrypted, RestoreOptions.DEFAULT_PARALLELISM, dir);
		restore(encrypted, RestoreOptions.DEFAULT_PARALLELISM, dir);
		List<Double> plainRates = new ArrayList<>();
		List<Double> ageRates = new ArrayList<>();
		List<Double> plainCpu = new ArrayList<>();
		List<Double> ageCpu = new ArrayList<>();
		for (int round = 0; round < options.rounds(); round++) {
			for (int k = 0; k < 2; k++) {
				boolean age = (k + round) % 2 == 1;
				long cpuBefore = processCpuNanos();
				long nanos = restore(age ? encrypted : plain, RestoreOptions.DEFAULT_PARALLELISM, dir);
				(age ? ageCpu : plainCpu).add((processCpuNanos() - cpuBefore) / 1e6);
				(age ? ageRates : plainRates).add(mibPerSecond(decompressed, nanos));
			}
		}
		// The CPU both restores need tells what parallelism can win on this machine's cores.
		report.measure(NAME, "restore from " + variant, "process CPU per restore (median)", Stats.median(ageCpu), "ms");
		report.measure(NAME, "restore from file, parallelism " + RestoreOptions.DEFAULT_PARALLELISM,
				"process CPU per restore (median, paired with age)", Stats.median(plainCpu), "ms");
		double plainRate = Stats.median(plainRates);
		double ageRate = Stats.median(ageRates);
		report.measure(NAME, "restore from " + variant, "median throughput (paired with plain)", ageRate, "MiB/s");
		report.measure(NAME, "restore from file, parallelism " + RestoreOptions.DEFAULT_PARALLELISM,
				"median throughput (paired with age)", plainRate, "MiB/s");
		report.measure(NAME, "restore from " + variant, "slowest / fastest run",
				Collections.min(ageRates) / Collections.max(ageRates), "");
		report.verdict(NAME, "throughput with age / without, " + variant, Report.format(ageRate / plainRate), ">= 0.9",
				ageRate / plainRate >= 0.9);
		// -Dlitestream.age.provider=jdk measures the JDK's primitives where Conscrypt is present.
		report.note(NAME, "age encryption used " + Age.cryptoProvider());
	}

	/** The same objects under the same keys in another replica, which is returned. */
	static ReplicaClient copy(ReplicaClient source, ReplicaClient target) throws Exception {
		for (String generation : source.generations()) {
			for (SnapshotInfo snapshot : source.snapshots(generation)) {
				try (InputStream in = source.openSnapshot(generation, snapshot.index())) {
					target.writeSnapshot(generation, snapshot.index(), in);
				}
			}
			for (WalSegmentInfo segment : source.walSegments(generation)) {
				try (InputStream in = source.openWalSegment(segment.pos())) {
					target.writeWalSegment(segment.pos(), in);
				}
			}
		}
		return target;
	}

	/** Restores the latest state into a new file, deletes it, and returns how long the restore took. */
	private static long restore(ReplicaClient replica, int parallelism, Path dir) throws Exception {
		Path output = dir.resolve("restored.db");
		long started = System.nanoTime();
		new Restorer().restore(replica, RestoreOptions.latest(output).withParallelism(parallelism));
		long nanos = System.nanoTime() - started;
		Files.delete(output);
		Disk.settle();
		return nanos;
	}

	/** A database of about the configured size whose replica has a snapshot and many segments. */
	static long buildReplica(Path db, Path replicaDir, HarnessOptions options) throws Exception {
		long half = options.restoreMib() * 1048576L / 2;
		try (Workload app = new Workload(db)) {
			app.bulkInsert(half, ROW_BYTES);
			app.execute("PRAGMA wal_checkpoint(TRUNCATE)");
			FileReplicaClient client = new FileReplicaClient(replicaDir);
			try (ReplicatedDatabase database = new ReplicatedDatabase(DatabaseOptions.defaults(db))) {
				database.open();
				Replica replica = new Replica(database, client, ReplicaOptions.defaults("file"));
				replica.sync();
				long perSegment = half / options.restoreSegments();
				for (int i = 0; i < options.restoreSegments(); i++) {
					app.bulkInsert(perSegment, ROW_BYTES);
					database.sync();
					replica.sync();
				}
			}
			String generation = client.generations().get(0);
			return client.walSegments(generation).size();
		}
	}

	static List<Path> lz4Files(Path root) throws java.io.IOException {
		try (Stream<Path> files = Files.walk(root)) {
			return files.filter((file) -> file.toString().endsWith(".lz4")).sorted().toList();
		}
	}

	/** CPU time of this JVM so far, all threads (the restore's workers and the decryption threads too). */
	private static long processCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	/**
	 * WAL indexes in the replica's generation.
	 * @param client the replica
	 * @return how many
	 * @throws java.io.IOException if it cannot be listed
	 */
	static long walIndexes(ReplicaClient client) throws java.io.IOException {
		String generation = client.generations().get(0);
		return client.walSegments(generation).stream().map(WalSegmentInfo::index).distinct().count();
	}

	private static double mibPerSecond(long bytes, long nanos) {
		return bytes / 1048576.0 / (nanos / 1e9);
	}

}

package io.github.litestream;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a replicating JVM whose transactions change random pages, with snapshots and
 * time-based checkpoints every second, at random moments and right after snapshots, and
 * proves that the latest restore equals exactly one committed state (checked by the
 * {@link ConsistencyOracle}, which a file mixing two moments fails), losing only the last
 * moments before the kill.
 */
class ConsistencyCrashTests {

	/** Transactions that began this long before the kill must be restored. */
	private static final Duration LOSS_WINDOW = Duration.ofMillis(2500);

	private static final int ROUNDS = 6;

	@TempDir
	Path dir;

	@Test
	void everyLatestRestoreAfterSigkillEqualsOneCommittedState() throws Exception {
		long seed = System.nanoTime();
		SplittableRandom random = new SplittableRandom(seed);
		for (int round = 1; round <= ROUNDS; round++) {
			Path roundDir = Files.createDirectories(this.dir.resolve("round-" + round));
			boolean afterSnapshot = round % 2 == 1;
			long killedAt = writeUntilKilled(roundDir, afterSnapshot, random);
			ConsistencyOracle oracle = ConsistencyOracle.read(roundDir.resolve("history.log"));
			Path restored = roundDir.resolve("restored.db");
			new Restorer().restore(new FileReplicaClient(roundDir.resolve("replica")), RestoreOptions.latest(restored));

			String context = "round " + round + " (seed " + seed + ", kill " + (afterSnapshot ? "right after a snapshot"
					: "at a random moment") + ", files in " + roundDir + ")";
			assertThat(integrityCheck(restored)).as(context).isEqualTo("ok");
			ConsistencyOracle.Match match = oracle.check(restored);
			int mustSurvive = lastBeganBefore(oracle, killedAt - LOSS_WINDOW.toMillis());
			assertThat(match.state()).as("%s restores every transaction begun %d ms before the kill", context,
					LOSS_WINDOW.toMillis())
				.isGreaterThanOrEqualTo(mustSurvive);
			System.out.printf("ConsistencyCrashTests %s: %d transactions logged, restored state %d%s%n", context,
					oracle.lastLogged(), match.state(), match.unlogged() ? " (committed, not logged)" : "");
		}
	}

	/**
	 * Starts the writer and kills it with SIGKILL right after its second to fourth snapshot,
	 * or at a random moment after its first one.
	 * @return when it was killed, in epoch milliseconds
	 */
	private long writeUntilKilled(Path roundDir, boolean afterSnapshot, SplittableRandom random) throws Exception {
		Path stderr = roundDir.resolve("writer.err");
		Process child = ChildJvm
			.builder(ConsistentWriter.class, List.of("-Xmx128m"), roundDir.resolve("app.db").toString(),
					roundDir.resolve("replica").toString(), roundDir.resolve("history.log").toString())
			.redirectError(stderr.toFile())
			.start();
		long killedAt;
		try (BufferedReader out = new BufferedReader(
				new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
			int snapshots = afterSnapshot ? random.nextInt(2, 5) : 1;
			for (int seen = 0; seen < snapshots;) {
				String line = out.readLine();
				assertThat(line).as("the writer is running (stderr in %s)", stderr).isNotNull();
				seen += line.startsWith("snapshot ") ? 1 : 0;
			}
			long delayMillis = afterSnapshot ? random.nextInt(0, 20) : random.nextInt(300, 2500);
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(delayMillis));
		}
		finally {
			killedAt = System.currentTimeMillis();
			child.destroyForcibly();
		}
		assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
		return killedAt;
	}

	private static int lastBeganBefore(ConsistencyOracle oracle, long millis) {
		int k = oracle.lastLogged();
		while (k > 0 && oracle.beganAtMillis(k) > millis) {
			k--;
		}
		return k;
	}

	static String integrityCheck(Path database) throws Exception {
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database); Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
			rs.next();
			return rs.getString(1);
		}
	}

}

package io.github.litestream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.SplittableRandom;

import io.github.litestream.ReplicationTimeline.LossWindow;
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
 * moments before the kill: the writer's intervals and its replica's last steps (see
 * {@link ReplicationTimeline}).
 */
class ConsistencyCrashTests {

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
			long killedAt = KilledWriter.run(ConsistentWriter.class, roundDir, roundDir.resolve("replica").toString(), null,
					Map.of(), afterSnapshot, random);
			ConsistencyOracle oracle = ConsistencyOracle.read(roundDir.resolve("history.log"));
			Path restored = roundDir.resolve("restored.db");
			new Restorer().restore(new FileReplicaClient(roundDir.resolve("replica")), RestoreOptions.latest(restored));

			String context = "round " + round + " (seed " + seed + ", kill " + (afterSnapshot ? "right after a snapshot"
					: "at a random moment") + ", files in " + roundDir + ")";
			assertThat(integrityCheck(restored)).as(context).isEqualTo("ok");
			ConsistencyOracle.Match match = oracle.check(restored);
			LossWindow window = ConsistentWriter.lossWindow(roundDir.resolve("history.log"), killedAt);
			assertThat(match.state()).as("%s restores every transaction committed %s before the kill", context, window)
				.isGreaterThanOrEqualTo(oracle.lastCommittedBefore(killedAt - window.toMillis()));
			System.out.printf("ConsistencyCrashTests %s: %d transactions logged, restored state %d%s, window %s%n",
					context, oracle.lastLogged(), match.state(), match.unlogged() ? " (committed, not logged)" : "", window);
		}
	}

	static String integrityCheck(Path database) throws Exception {
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database); Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
			rs.next();
			return rs.getString(1);
		}
	}

}

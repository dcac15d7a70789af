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
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.abs.AbsClientFactory;
import io.github.litestream.replica.abs.AbsConsistentWriter;
import io.github.litestream.replica.abs.AbsReplicaClient;
import io.github.litestream.replica.abs.AbsReplicaConfig;
import io.github.litestream.replica.abs.AzuriteServer;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replicate, kill, restore, compare, against Azurite: a child JVM whose transactions change
 * random pages replicates to a container with snapshots and checkpoints every second and is
 * killed with SIGKILL at random moments and right after snapshots; the latest restore from the
 * container must equal exactly one committed state (the {@link ConsistencyOracle} decides),
 * losing only the last moments before the kill.
 */
class AbsConsistencyCrashTests {

	@RegisterExtension
	static final AzuriteServer azurite = new AzuriteServer();

	private static final int ROUNDS = 4;

	@TempDir
	Path dir;

	@Test
	void everyLatestRestoreAfterSigkillEqualsOneCommittedState() throws Exception {
		long seed = System.nanoTime();
		SplittableRandom random = new SplittableRandom(seed);
		for (int round = 1; round <= ROUNDS; round++) {
			Path roundDir = Files.createDirectories(this.dir.resolve("round-" + round));
			String container = azurite.createContainer();
			String url = "abs://" + AzuriteServer.ACCOUNT_NAME + "@" + container + "/app";
			boolean afterSnapshot = round % 2 == 1;
			long killedAt = KilledWriter.run(AbsConsistentWriter.class, roundDir, url, azurite.endpoint(),
					Map.of(AbsReplicaConfig.ACCOUNT_KEY_VARIABLE, AzuriteServer.ACCOUNT_KEY), afterSnapshot, random);
			ConsistencyOracle oracle = ConsistencyOracle.read(roundDir.resolve("history.log"));
			Path restored = roundDir.resolve("restored.db");
			AbsReplicaConfig config = azurite.config(container, "app").build();
			new Restorer().restore(new AbsReplicaClient(AbsClientFactory.withDefaults().create(config), config,
					ReplicaOperationListener.NONE), RestoreOptions.latest(restored));

			String context = "round " + round + " (seed " + seed + ", kill " + (afterSnapshot ? "right after a snapshot"
					: "at a random moment") + ", files in " + roundDir + ")";
			assertThat(integrityCheck(restored)).as(context).isEqualTo("ok");
			ConsistencyOracle.Match match = oracle.check(restored);
			LossWindow window = ConsistentWriter.lossWindow(roundDir.resolve("history.log"), killedAt);
			assertThat(match.state()).as("%s restores every transaction committed %s before the kill", context, window)
				.isGreaterThanOrEqualTo(oracle.lastCommittedBefore(killedAt - window.toMillis()));
			System.out.printf("AbsConsistencyCrashTests %s: %d transactions logged, restored state %d, window %s%n",
					context, oracle.lastLogged(), match.state(), window);
		}
	}

	private static String integrityCheck(Path database) throws Exception {
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database); Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
			rs.next();
			return rs.getString(1);
		}
	}

}

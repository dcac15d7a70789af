package io.github.litestream.replica.sftp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import io.github.litestream.AppDatabase;
import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.ConsistencyOracle;
import io.github.litestream.ConsistentWriter;
import io.github.litestream.KilledWriter;
import io.github.litestream.MutableClock;
import io.github.litestream.ReplicationTimeline.LossWindow;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine end to end over SFTP: real SQLite, a {@code Replica} on {@link SftpReplicaClient}
 * against the in-process server, and the real restore reading back through a client of its
 * own; with password and key logins, and after a replicating JVM was killed with SIGKILL,
 * where the {@link ConsistencyOracle} checks that the restore equals one committed state.
 */
class SftpReplicationTests {

	@RegisterExtension
	static final SftpTestServer server = new SftpTestServer();

	@TempDir
	Path dir;

	private final MutableClock clock = new MutableClock();

	private AppDatabase app;

	private ReplicatedDatabase database;

	private Replica replica;

	private ReplicaClient client;

	@AfterEach
	void closeEverything() throws Exception {
		if (this.client != null) {
			this.client.close();
		}
		if (this.database != null) {
			this.database.close();
		}
		if (this.app != null) {
			this.app.close();
		}
	}

	@Test
	void roundTripAcrossManyIndexesWithAPasswordLogin() throws Exception {
		String path = server.newReplicaPath();
		open(server.passwordConfig(path).build());
		for (int i = 0; i < 30; i++) {
			batch(1 + i % 7);
		}
		assertThat(this.replica.position().orElseThrow().index()).isGreaterThan(8);

		Summary restored = restore(server.passwordConfig(path).build(), RestoreOptions.latest(output("latest.db")));

		assertThat(restored).isEqualTo(this.app.summary());
		assertThat(restored.integrity()).isEqualTo("ok");
		assertThat(restored.isGapFreePrefix()).isTrue();
	}

	@Test
	void restoresEveryIndexWithAKeyLogin() throws Exception {
		String path = server.newReplicaPath();
		open(server.keyConfig(path).build());
		TreeMap<Long, Summary> atEndOfIndex = new TreeMap<>();
		for (int i = 0; i < 12; i++) {
			atEndOfIndex.put(batch(1 + i % 5), this.app.summary());
		}
		this.replica.snapshot();
		for (int i = 0; i < 5; i++) {
			atEndOfIndex.put(batch(3), this.app.summary());
		}
		assertThat(atEndOfIndex).hasSizeGreaterThan(4);
		for (var entry : atEndOfIndex.entrySet()) {
			String name = "index-" + Pos.hex(entry.getKey()) + ".db";
			assertThat(restore(server.keyConfig(path).build(),
					RestoreOptions.latest(output(name)).withIndex(entry.getKey())))
				.as("restore at index %s", Pos.hex(entry.getKey()))
				.isEqualTo(entry.getValue());
		}
	}

	@Test
	void everyRestoreAfterSigkillEqualsOneCommittedState() throws Exception {
		long seed = System.nanoTime();
		SplittableRandom random = new SplittableRandom(seed);
		for (int round = 1; round <= 3; round++) {
			Path roundDir = Files.createDirectories(this.dir.resolve("round-" + round));
			String path = server.newReplicaPath();
			boolean afterSnapshot = round % 2 == 1;
			long killedAt = KilledWriter.run(SftpConsistentWriter.class, roundDir, server.url(path),
					server.knownHosts().toString(), Map.of("LITESTREAM_SFTP_PASSWORD", SftpTestServer.PASSWORD),
					afterSnapshot, random);
			ConsistencyOracle oracle = ConsistencyOracle.read(roundDir.resolve("history.log"));
			Path restored = roundDir.resolve("restored.db");
			try (ReplicaClient reader = SftpReplicaClient.open(server.passwordConfig(path).build(),
					ReplicaOperationListener.NONE)) {
				new Restorer().restore(reader, RestoreOptions.latest(restored));
			}

			String context = "round " + round + " (seed " + seed + ", files in " + roundDir + ")";
			assertThat(integrityCheck(restored)).as(context).isEqualTo("ok");
			ConsistencyOracle.Match match = oracle.check(restored);
			LossWindow window = ConsistentWriter.lossWindow(roundDir.resolve("history.log"), killedAt);
			assertThat(match.state()).as("%s restores every transaction committed %s before the kill", context, window)
				.isGreaterThanOrEqualTo(oracle.lastCommittedBefore(killedAt - window.toMillis()));
		}
	}

	private void open(SftpReplicaConfig config) throws Exception {
		Path dbPath = this.dir.resolve("app.db");
		this.app = new AppDatabase(dbPath);
		this.client = SftpReplicaClient.open(config, ReplicaOperationListener.NONE);
		this.database = new ReplicatedDatabase(
				DatabaseOptions.defaults(dbPath).withCheckpoints(Duration.ofMinutes(1), 8, 10000), this.clock);
		this.database.open();
		this.replica = new Replica(this.database, this.client, ReplicaOptions.defaults("sftp"), this.clock);
	}

	/** Writes, copies and ships one batch; returns the index the batch landed in. */
	private long batch(int rows) throws Exception {
		this.app.insert(rows);
		this.database.sync();
		this.replica.sync();
		// A checkpoint leaves the WAL's restart to the next write: the batch's index is current.
		return this.database.position().orElseThrow().index();
	}

	private static Summary restore(SftpReplicaConfig config, RestoreOptions options) throws Exception {
		try (ReplicaClient reader = SftpReplicaClient.open(config, ReplicaOperationListener.NONE)) {
			new Restorer().restore(reader, options);
		}
		return AppDatabase.summarize(options.outputPath());
	}

	private Path output(String name) {
		return this.dir.resolve("restored").resolve(name);
	}

	private static String integrityCheck(Path database) throws Exception {
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database); Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
			rs.next();
			return rs.getString(1);
		}
	}

}

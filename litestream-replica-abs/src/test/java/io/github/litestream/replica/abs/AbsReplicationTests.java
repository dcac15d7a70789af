package io.github.litestream.replica.abs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeMap;

import io.github.litestream.AppDatabase;
import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.MutableClock;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.ReplicaStatus;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The engine end to end against Azurite: real SQLite, a {@code Replica} on
 * {@link AbsReplicaClient}, and the real restore reading back from the container; then what
 * a user gets wrong (the key, the container, the endpoint), each failing the sync with a
 * message that names the replica and the setting, and never the key.
 */
class AbsReplicationTests {

	@RegisterExtension
	static final AzuriteServer azurite = new AzuriteServer();

	static final String PATH = "backups/app";

	@TempDir
	Path dir;

	final MutableClock clock = new MutableClock();

	final AbsClientFactory factory = AbsClientFactory.withRetries(3, Duration.ofMillis(50), Duration.ofMillis(200));

	Path dbPath;

	AppDatabase app;

	String container;

	ReplicatedDatabase database;

	Replica replica;

	@BeforeEach
	void setUp() throws Exception {
		this.dbPath = this.dir.resolve("app.db");
		this.app = new AppDatabase(this.dbPath);
		this.container = azurite.createContainer();
	}

	@AfterEach
	void closeEverything() throws Exception {
		if (this.database != null) {
			this.database.close();
		}
		this.app.close();
	}

	@Test
	void roundTripAcrossManyIndexesAndCheckpoints() throws Exception {
		open(client(azurite.config(this.container, PATH).build()));
		for (int i = 0; i < 30; i++) {
			batch(1 + i % 7);
		}
		assertThat(this.replica.position().orElseThrow().index()).isGreaterThan(8);

		Summary restored = restore(RestoreOptions.latest(output("latest.db")));

		assertThat(restored).isEqualTo(this.app.summary());
		assertThat(restored.integrity()).isEqualTo("ok");
		assertThat(restored.isGapFreePrefix()).isTrue();
	}

	@Test
	void restoresEveryIndexToTheStateAtItsEnd() throws Exception {
		open(client(azurite.config(this.container, PATH).build()));
		TreeMap<Long, Summary> atEndOfIndex = new TreeMap<>();
		for (int i = 0; i < 16; i++) {
			atEndOfIndex.put(batch(1 + i % 5), this.app.summary());
		}
		this.replica.snapshot();
		for (int i = 0; i < 6; i++) {
			atEndOfIndex.put(batch(3), this.app.summary());
		}
		assertThat(atEndOfIndex).hasSizeGreaterThan(5);

		for (var entry : atEndOfIndex.entrySet()) {
			String name = "index-" + Pos.hex(entry.getKey()) + ".db";
			assertThat(restore(RestoreOptions.latest(output(name)).withIndex(entry.getKey())))
				.as("restore at index %s", Pos.hex(entry.getKey()))
				.isEqualTo(entry.getValue());
		}
	}

	@Test
	void wrongKeyFailsTheSyncNamingTheKeySettingsAndNeverTheKey() throws Exception {
		String wrongKey = "d3Jvbmcta2V5LXRoYXQtaXMtbm90LXRoZS1hY2NvdW50cw==";
		open(client(azurite.config(this.container, PATH).accountKey(wrongKey).build()));

		ReplicaStatus status = failingSync();

		assertThat(status.lastError()).contains("abs://devstoreaccount1@" + this.container + "/" + PATH)
			.contains("'account-key'")
			.contains("LITESTREAM_AZURE_ACCOUNT_KEY")
			.doesNotContain(wrongKey)
			.doesNotContain(AzuriteServer.ACCOUNT_KEY);
	}

	@Test
	void missingContainerFailsTheSyncNamingTheContainerAndBucket() throws Exception {
		String missing = "missing-" + this.container;
		open(client(azurite.config(missing, PATH).build()));

		ReplicaStatus status = failingSync();

		assertThat(status.lastError()).contains("container '" + missing + "' does not exist").contains("'bucket'");
		assertThat(azurite.container(missing).exists()).as("the replica does not create the container").isFalse();
	}

	@Test
	void unreachableEndpointFailsAfterRetriesNamingTheEndpoint() throws Exception {
		String endpoint = "http://127.0.0.1:" + AzuriteServer.freePort() + "/devstoreaccount1";
		open(client(azurite.config(this.container, PATH).endpoint(endpoint).build()));

		ReplicaStatus status = failingSync();

		assertThat(status.lastError()).contains("cannot reach endpoint " + endpoint)
			.contains("'endpoint'")
			.contains("'account-name'");
	}

	private ReplicaStatus failingSync() throws Exception {
		this.app.insert(5);
		this.database.sync();
		assertThatExceptionOfType(AbsReplicaException.class).isThrownBy(this.replica::sync);
		ReplicaStatus status = this.replica.status();
		assertThat(status.failingSince()).isNotNull();
		assertThat(status.position()).isNull();
		return status;
	}

	private AbsReplicaClient client(AbsReplicaConfig config) {
		return new AbsReplicaClient(this.factory.create(config), config, ReplicaOperationListener.NONE);
	}

	private void open(AbsReplicaClient client) throws Exception {
		this.database = new ReplicatedDatabase(
				DatabaseOptions.defaults(this.dbPath).withCheckpoints(Duration.ofMinutes(1), 8, 10000), this.clock);
		this.database.open();
		this.replica = new Replica(this.database, client, ReplicaOptions.defaults("abs"), this.clock);
	}

	/** Writes, copies and ships one batch; returns the index the batch landed in. */
	private long batch(int rows) throws Exception {
		this.app.insert(rows);
		this.database.sync();
		this.replica.sync();
		// A checkpoint leaves the WAL's restart to the next write: the batch's index is current.
		return this.database.position().orElseThrow().index();
	}

	/** Restores from the container through a client of its own and summarizes the result. */
	private Summary restore(RestoreOptions options) throws Exception {
		new Restorer().restore(client(azurite.config(this.container, PATH).build()), options);
		return AppDatabase.summarize(options.outputPath());
	}

	private Path output(String name) {
		return this.dir.resolve("restored").resolve(name);
	}

}

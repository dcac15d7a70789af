package io.github.litestream.replica.s3;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

import io.github.litestream.AppDatabase;
import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.MutableClock;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.RecordingOperationListener;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the engine-level S3 tests share: the application's database, a fresh bucket per test,
 * a replica client counting its requests, the engine's side of the database, and restore from
 * the bucket. Everything is closed after each test.
 */
abstract class S3ReplicationTestSupport {

	static final String PATH = "backups/app";

	@TempDir
	Path dir;

	final MutableClock clock = new MutableClock();

	final RecordingOperationListener operations = new RecordingOperationListener();

	final S3ClientFactory factory = S3ClientFactory.builder().environment((name) -> null).build();

	private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

	Path dbPath;

	AppDatabase app;

	String bucket;

	S3ReplicaClient client;

	ReplicatedDatabase database;

	Replica replica;

	/**
	 * The server the tests run against.
	 * @return the server
	 */
	abstract S3TestStore store();

	@BeforeEach
	void setUpApplicationAndBucket() throws Exception {
		this.dbPath = this.dir.resolve("app.db");
		this.app = new AppDatabase(this.dbPath);
		this.bucket = store().createBucket();
		this.client = client(credentials(configBuilder(this.bucket, PATH)).build(), this.operations);
	}

	@AfterEach
	void closeEverything() throws Exception {
		while (!this.closeables.isEmpty()) {
			this.closeables.pop().close();
		}
		if (this.database != null) {
			this.database.close();
		}
		this.app.close();
	}

	/** Registers something to close after the test; closed in reverse order. */
	<T extends AutoCloseable> T closeAfterTest(T closeable) {
		this.closeables.push(closeable);
		return closeable;
	}

	/** A replica client on its own S3 client, both closed after the test. */
	S3ReplicaClient client(S3ReplicaConfig config, ReplicaOperationListener listener) {
		S3Client s3 = closeAfterTest(this.factory.create(config));
		return new S3ReplicaClient(s3, config, listener);
	}

	/** Opens the engine's side of the database with a replica on {@link #client}. */
	void openDatabase(DatabaseOptions options, ReplicaOptions replicaOptions) throws Exception {
		this.database = new ReplicatedDatabase(options, this.clock);
		this.database.open();
		this.replica = new Replica(this.database, this.client, replicaOptions, this.clock);
	}

	/** Writes, copies and ships one batch; returns the index the batch landed in. */
	long batch(int rows) throws Exception {
		this.app.insert(rows);
		this.database.sync();
		this.replica.sync();
		// A checkpoint leaves the WAL's restart to the next write: the batch's index is current.
		return this.database.position().orElseThrow().index();
	}

	/**
	 * Restores from the bucket, through a connection of its own as restore-on-boot does, and
	 * summarizes the result. A restore lists and reads around the SDK, so the connection's SDK
	 * client is never built.
	 */
	Summary restore(RestoreOptions options) throws Exception {
		S3ReplicaConfig config = credentials(configBuilder(this.bucket, PATH)).build();
		S3Connection connection = closeAfterTest(this.factory.connect(config));
		new Restorer().restore(new S3ReplicaClient(connection, config, ReplicaOperationListener.NONE), options);
		assertThat(connection.clientBuilt()).as("the SDK client was built for a restore").isFalse();
		return AppDatabase.summarize(options.outputPath());
	}

	S3ReplicaConfig.Builder configBuilder(String bucket, String path) {
		return store().configBuilder(bucket, path);
	}

	S3ReplicaConfig.Builder credentials(S3ReplicaConfig.Builder builder) {
		return builder.credentials(store().accessKeyId(), store().secretAccessKey());
	}

	Path output(String name) {
		return this.dir.resolve("restored").resolve(name);
	}

	static DatabaseOptions checkpointEvery8Pages(Path dbPath) {
		return DatabaseOptions.defaults(dbPath).withCheckpoints(Duration.ofMinutes(1), 8, 10000);
	}

}

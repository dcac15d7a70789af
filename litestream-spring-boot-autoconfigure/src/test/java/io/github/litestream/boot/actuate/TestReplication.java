package io.github.litestream.boot.actuate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.github.litestream.AppDatabase;
import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.ReplicaValidator;

/**
 * A real SQLite database ({@code app.db}) replicated by a real engine to a file replica named
 * {@code file}, in a directory of its own, with short intervals so tests move quickly.
 *
 * <p>The replica's root is a symbolic link to the directory holding its files, so that breaking
 * and repairing it are each one atomic rename of the link: the replica's lane, which creates
 * missing directories before every write, has no moment in between to recreate the root.
 */
final class TestReplication implements AutoCloseable {

	static final Duration INTERVAL = Duration.ofMillis(100);

	final Path dir;

	final Path dbPath;

	/** The replica's root: a link to {@link #replicaFiles}, or to a regular file while broken. */
	final Path replicaDir;

	/** The directory holding the replica's files. */
	final Path replicaFiles;

	final AppDatabase app;

	final Litestream litestream;

	private final Duration validationInterval;

	private TestReplication(Path dir, Duration validationInterval) throws Exception {
		this.dir = dir;
		this.dbPath = dir.resolve("app.db");
		this.replicaDir = dir.resolve("replica");
		this.replicaFiles = Files.createDirectory(dir.resolve("replica.files"));
		Files.createSymbolicLink(this.replicaDir, this.replicaFiles.getFileName());
		this.validationInterval = validationInterval;
		this.app = new AppDatabase(this.dbPath);
		this.litestream = new Litestream(Clock.systemUTC(), new ReplicaValidator(Clock.systemUTC())::validate);
	}

	/** Creates the engine in a new temporary directory, with no database registered yet. */
	static TestReplication create(Duration validationInterval) throws Exception {
		return new TestReplication(Files.createTempDirectory("litestream-actuate"), validationInterval);
	}

	/**
	 * Registers the database and its replica, as the boot layer does when replication starts.
	 * @param operations counts replica requests, or {@code null}
	 */
	TestReplication register(ReplicaOperationMetrics operations) {
		return register(operations, 10000);
	}

	/**
	 * Registers the database and its replica with a RESTART checkpoint due at
	 * {@code maxCheckpointPages}.
	 * @param operations counts replica requests, or {@code null}
	 * @param maxCheckpointPages the max-checkpoint-page-count
	 */
	TestReplication register(ReplicaOperationMetrics operations, int maxCheckpointPages) {
		ReplicaOperationListener listener = (operations != null) ? operations.listenerFor(this.dbPath, "file")
				: ReplicaOperationListener.NONE;
		DatabaseOptions options = DatabaseOptions.defaults(this.dbPath)
			.withMonitorInterval(INTERVAL)
			.withCheckpoints(Duration.ofMinutes(1), 4, maxCheckpointPages);
		ReplicaOptions replica = ReplicaOptions.defaults("file")
			.withSyncInterval(INTERVAL)
			.withValidationInterval(this.validationInterval);
		this.litestream.addDatabase(options,
				List.of(new ReplicationTarget(new FileReplicaClient(this.replicaDir, listener), replica)));
		return this;
	}

	TestReplication start() throws IOException {
		this.litestream.start();
		return this;
	}

	ReplicatedDatabase database() {
		return this.litestream.databases().get(0);
	}

	Replica replica() {
		return this.litestream.replicas(database()).get(0);
	}

	/**
	 * Whether the replica holds everything committed so far. The position is taken after a
	 * monitor step of its own ({@link Litestream#commitPosition}): a step that copies the WAL
	 * and then checkpoints publishes a position before the checkpoint moves it to the next
	 * index, so a replica can briefly equal a position the database is about to leave.
	 */
	boolean caughtUp() throws IOException {
		Optional<Pos> committed = this.litestream.commitPosition(database());
		return committed.isPresent() && committed.equals(replica().position());
	}

	/** Breaks the replica: its root becomes a regular file (chmod does not stop root). */
	void breakReplica() throws IOException {
		Path broken = Files.writeString(this.dir.resolve("replica.broken"), "not a directory");
		pointReplicaAt(broken);
	}

	void repairReplica() throws IOException {
		pointReplicaAt(this.replicaFiles);
	}

	/**
	 * Breaks the engine's local state: its directory becomes a regular file, so that no new
	 * shadow WAL can be created (the next index's, for one), as on a full or read-only disk.
	 */
	void breakLocalState() throws IOException {
		Path state = localState();
		Files.move(state, state.resolveSibling(state.getFileName() + ".aside"));
		Files.writeString(state, "not a directory");
	}

	void repairLocalState() throws IOException {
		Path state = localState();
		Files.delete(state);
		Files.move(state.resolveSibling(state.getFileName() + ".aside"), state);
	}

	private Path localState() {
		Path db = this.dbPath.toAbsolutePath();
		return db.resolveSibling("." + db.getFileName() + "-litestream");
	}

	private void pointReplicaAt(Path target) throws IOException {
		Path link = Files.createSymbolicLink(this.dir.resolve("replica.link"), target.getFileName());
		Files.move(link, this.replicaDir, StandardCopyOption.ATOMIC_MOVE);
	}

	@Override
	public void close() throws Exception {
		this.litestream.close();
		this.app.close();
		try (Stream<Path> files = Files.walk(this.dir)) {
			files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
		}
	}

}

package io.github.litestream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseListener;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import io.github.litestream.sqlite.WalChecksum;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An engine that starts on a WAL the previous run left fully checkpointed: the application's
 * connection outlived that run's close (its final checkpoint moved every frame into the database
 * file, and the open connection kept SQLite from deleting the WAL), so the application's first
 * write after the start restarts the WAL. That restart is SQLite's own and loses nothing, so the
 * generation goes on at the next index; it used to look like another process replacing the WAL
 * and began a new generation (RetentionScheduleTests saw a third one on CI). A WAL that is
 * really rewritten behind the engine still begins one.
 */
class FullyCheckpointedStartTests {

	@TempDir
	Path dir;

	private Path path;

	private FileReplicaClient files;

	private final List<String> newGenerations = new CopyOnWriteArrayList<>();

	@BeforeEach
	void paths() {
		this.path = this.dir.resolve("app.db");
		this.files = new FileReplicaClient(this.dir.resolve("replica"));
	}

	@Test
	void theApplicationsFirstWriteAfterTheStartContinuesTheGenerationAtTheNextIndex() throws Exception {
		try (AppDatabase app = new AppDatabase(this.path)) {
			Pos first = replicateOnce(app);
			WalHeader left = walHeader(this.path);

			Pos second = replicateOnce(app);

			assertThat(walHeader(this.path).salt1()).as("the application's write restarted the WAL")
				.isEqualTo(left.salt1() + 1);
			assertThat(this.newGenerations).as("generations begun by the second run").isEmpty();
			assertThat(second.generation()).isEqualTo(first.generation());
			assertThat(second.index()).as("the restart began the next index").isEqualTo(first.index() + 1);
			assertThat(this.files.generations()).containsExactly(first.generation());
			assertRestoresTo(app);
		}
	}

	@Test
	void anEngineKilledWithTheWalFullyCheckpointedIsContinuedAtTheNextIndex() throws Exception {
		// The test's connection keeps SQLite's shared memory across the kill, so the next open
		// finds the WAL fully checkpointed (a recovery would count its frames as not yet).
		Path stderr = this.dir.resolve("writer.err");
		Process child = ChildJvm.builder(CheckpointedIdleWriter.class, List.of("-Xmx128m"), this.path.toString(),
				this.files.root().toString())
			.redirectError(stderr.toFile())
			.start();
		try (Connection keeper = DriverManager.getConnection("jdbc:sqlite:" + this.path)) {
			String[] idle;
			try (BufferedReader out = new BufferedReader(
					new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
				String line = out.readLine();
				assertThat(line).as(() -> "the writer's stderr: " + readQuietly(stderr)).startsWith("idle ");
				idle = line.split(" ");
				try (Statement s = keeper.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
					rs.next();
				}
			}
			finally {
				child.destroyForcibly();
			}
			assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
			try (AppDatabase app = new AppDatabase(this.path)) {
				Pos second = replicateOnce(app);

				assertThat(this.newGenerations).as("generations begun after the kill").isEmpty();
				assertThat(second.generation()).isEqualTo(idle[1]);
				assertThat(second.index()).as("the restart began the next index").isEqualTo(Long.parseLong(idle[2]) + 1);
				assertRestoresTo(app);
			}
		}
	}

	@Test
	void aStartThatBeginsAGenerationOnAFullyCheckpointedWalBeginsOnlyThatOne() throws Exception {
		try (AppDatabase app = new AppDatabase(this.path)) {
			Pos first = replicateOnce(app);
			// The local state is gone (a new disk): the next start begins a generation.
			deleteRecursively(this.dir.resolve(".app.db-litestream"));

			Pos second = replicateOnce(app);

			assertThat(this.newGenerations).as("generations begun by the second run").hasSize(1);
			assertThat(second.generation()).isNotEqualTo(first.generation());
			assertThat(this.files.generations()).containsExactlyInAnyOrder(first.generation(), second.generation());
			assertRestoresTo(app);
		}
	}

	@Test
	void aWalRewrittenBehindTheEngineAfterItsStartStillBeginsANewGeneration() throws Exception {
		try (AppDatabase app = new AppDatabase(this.path)) {
			Pos first = replicateOnce(app);
			Litestream engine = new Litestream();
			try {
				ReplicatedDatabase database = start(engine);
				// Another process rewrites the WAL's header: not SQLite's restart (whose first salt
				// is the old one plus one), so what the WAL held cannot be proven.
				WalHeader header = walHeader(this.path);
				rewriteSalt1(this.path, header.salt1() + 2);

				await().atMost(Duration.ofSeconds(30)).until(() -> !this.newGenerations.isEmpty());
				assertThat(this.newGenerations).singleElement().asString().contains("restarted or replaced");
				assertThat(database.position().orElseThrow().generation()).isNotEqualTo(first.generation());
			}
			finally {
				engine.stop(Duration.ofSeconds(30));
				engine.close();
			}
		}
	}

	/** Starts an engine, lets the application write and waits until the replica holds it. */
	private Pos replicateOnce(AppDatabase app) throws Exception {
		Litestream engine = new Litestream();
		try {
			ReplicatedDatabase database = start(engine);
			app.insert(3);
			engine.commitPosition(database);
			Replica replica = engine.replicas(database).get(0);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> replica.position().isPresent() && replica.position().equals(database.position()));
			return database.position().orElseThrow();
		}
		finally {
			engine.stop(Duration.ofSeconds(30));
			engine.close();
		}
	}

	private ReplicatedDatabase start(Litestream engine) throws IOException {
		this.newGenerations.clear();
		ReplicatedDatabase database = engine.addDatabase(
				DatabaseOptions.defaults(this.path).withMonitorInterval(Duration.ofMillis(50)),
				List.of(new ReplicationTarget(this.files,
						ReplicaOptions.defaults("file").withSyncInterval(Duration.ofMillis(50)))));
		database.addListener(new DatabaseListener() {
			@Override
			public void onGeneration(String generation, String reason) {
				FullyCheckpointedStartTests.this.newGenerations.add(reason);
			}
		});
		engine.start();
		return database;
	}

	private void assertRestoresTo(AppDatabase app) throws Exception {
		Path restored = this.dir.resolve("restored.db");
		new Restorer().restore(this.files, RestoreOptions.latest(restored));
		assertThat(AppDatabase.summarize(restored)).isEqualTo(app.summary());
	}

	private static WalHeader walHeader(Path database) throws IOException {
		try (FileChannel wal = FileChannel.open(Path.of(database + "-wal"))) {
			return WalScanner.readHeader(wal);
		}
	}

	/** Rewrites the WAL header in place with another first salt and a valid checksum. */
	private static void rewriteSalt1(Path database, int salt1) throws IOException {
		try (FileChannel wal = FileChannel.open(Path.of(database + "-wal"), StandardOpenOption.READ,
				StandardOpenOption.WRITE)) {
			ByteBuffer header = ByteBuffer.allocate(WalHeader.SIZE);
			wal.read(header, 0);
			byte[] bytes = header.array();
			boolean bigEndian = WalHeader.parse(bytes, 0).bigEndianChecksums();
			header.putInt(16, salt1);
			WalChecksum checksum = WalChecksum.compute(bigEndian, WalChecksum.ZERO, bytes, 0, 24);
			header.putInt(24, checksum.first()).putInt(28, checksum.second());
			wal.write(ByteBuffer.wrap(bytes), 0);
		}
	}

	private static String readQuietly(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			return ex.toString();
		}
	}

	private static void deleteRecursively(Path tree) throws IOException {
		try (Stream<Path> paths = Files.walk(tree)) {
			for (Path file : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.delete(file);
			}
		}
	}

}

package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The restore reads a replica that the stock Litestream v0.3 CLI wrote on this machine from a
 * live workload: {@code litestream replicate} runs as a child process while the test commits
 * through sqlite-jdbc (WAL mode, automatic checkpoints off and a busy timeout, as Litestream asks
 * of applications), is stopped with SIGTERM, and the latest state and every WAL index restore to
 * what was committed there; this project's listing of it says what the CLI's says. Skipped
 * without the CLI (see {@link StockLitestream}).
 */
@ExtendWith(StockLitestream.Installed.class)
class StockCliReplicateTests {

	private static final Duration PATIENCE = Duration.ofMinutes(1);

	@TempDir
	Path dir;

	private StockLitestream litestream;

	private Path dbPath;

	private TableWorkload app;

	private FileReplicaClient client;

	private Process replicate;

	/** The state at the end of each index, as far as the CLI has gone. */
	private final TreeMap<Long, TableContents> atEndOfIndex = new TreeMap<>();

	/** The index the CLI writes next commits to: the highest one it has started. */
	private long currentIndex;

	@BeforeEach
	void startReplicating() throws Exception {
		this.litestream = StockLitestream.require();
		this.dbPath = this.dir.resolve("app.db");
		this.app = new TableWorkload(this.dbPath);
		this.client = new FileReplicaClient(this.dir.resolve("replica"));
		// Quick syncs; a checkpoint, and so a new index, every 8 pages; a snapshot every 2 s.
		Path config = Files.writeString(this.dir.resolve("litestream.yml"),
				String.join("\n", "dbs:", "  - path: " + this.dbPath, "    monitor-interval: 100ms",
						"    checkpoint-interval: 1h", "    min-checkpoint-page-count: 8", "    replicas:",
						"      - type: file", "        path: " + this.client.root(), "        sync-interval: 100ms",
						"        snapshot-interval: 2s", ""));
		this.replicate = this.litestream.start(this.dir.resolve("replicate.log"), "replicate", "-config", config.toString());
	}

	@AfterEach
	void stopReplicating() throws Exception {
		this.replicate.destroy();
		this.replicate.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS);
		this.app.close();
	}

	@Test
	void restoresTheLatestStateAndEveryIndexOfWhatTheCliReplicated() throws Exception {
		awaitReplicated(this.app.contents());
		for (int i = 0; i < 16; i++) {
			if (i == 8) {
				// Later indexes restore from a later snapshot than index 0's.
				await().atMost(PATIENCE).until(() -> this.client.snapshots(generation()).size() >= 2);
			}
			awaitReplicated(this.app.commit(1 + i % 4));
		}
		this.replicate.destroy();
		assertThat(this.replicate.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
		assertThat(this.replicate.exitValue()).as(Files.readString(this.dir.resolve("replicate.log"))).isZero();
		assertThat(this.atEndOfIndex).hasSizeGreaterThanOrEqualTo(4);
		assertThat(this.client.snapshots(generation())).hasSizeGreaterThanOrEqualTo(2);

		assertThat(restore(RestoreOptions.latest(output()))).isEqualTo(this.app.contents());
		for (var entry : this.atEndOfIndex.entrySet()) {
			assertThat(restore(RestoreOptions.latest(output()).withIndex(entry.getKey())))
				.as("restore at index %s", Pos.hex(entry.getKey()))
				.isEqualTo(entry.getValue());
		}
		StockListings.assertCliListsTheSame(this.litestream, this.client, Map.of(),
				this.client.root().toUri().toString());
	}

	/**
	 * Waits until the replica holds a commit and the CLI has settled, then records the commit
	 * as the state at the end of the index it went to and of any index the CLI started after
	 * it (a checkpoint the commit triggered starts the next index, which holds no change of
	 * table t). The commit went to the index that was current when it was made.
	 */
	private void awaitReplicated(TableContents committed) throws Exception {
		await().atMost(PATIENCE).ignoreExceptions().until(() -> restore(RestoreOptions.latest(output())).equals(committed));
		long highest = awaitSettled();
		for (long index = this.currentIndex; index <= highest; index++) {
			this.atEndOfIndex.put(index, committed);
		}
		this.currentIndex = highest;
	}

	/**
	 * Waits until the CLI's local position (its highest shadow WAL index) and the replica's
	 * highest index agree and neither the replica nor the position changed for 5 syncs.
	 * @return the highest index
	 */
	private long awaitSettled() throws Exception {
		List<Object> last = null;
		int unchanged = 0;
		long deadline = System.nanoTime() + PATIENCE.toNanos();
		while (unchanged < 5) {
			assertThat(System.nanoTime()).as("the CLI to settle, last seen %s", last).isLessThan(deadline);
			Thread.sleep(100);
			List<WalSegmentInfo> segments = this.client.walSegments(generation());
			long replicaIndex = segments.get(segments.size() - 1).index();
			List<Object> seen = List.of(localIndex(), segments, this.client.snapshots(generation()));
			unchanged = (seen.equals(last) && localIndex() == replicaIndex) ? unchanged + 1 : 0;
			last = seen;
		}
		List<WalSegmentInfo> segments = this.client.walSegments(generation());
		return segments.get(segments.size() - 1).index();
	}

	/** The CLI's current index: its highest shadow WAL file, {@code <index>.wal}. */
	private long localIndex() throws IOException {
		Path wal = this.dbPath.resolveSibling(".app.db-litestream/generations/" + generation() + "/wal");
		try (Stream<Path> files = Files.list(wal)) {
			return files.map((file) -> file.getFileName().toString())
				.filter((name) -> name.matches("[0-9a-f]{8}\\.wal"))
				.mapToLong((name) -> Pos.parseIndex(name.substring(0, 8)))
				.max()
				.orElseThrow();
		}
	}

	private String generation() throws IOException {
		List<String> generations = this.client.generations();
		assertThat(generations).as("generations the CLI wrote").hasSize(1);
		return generations.get(0);
	}

	private TableContents restore(RestoreOptions options) throws Exception {
		new Restorer().restore(this.client, options);
		return TableContents.read(options.outputPath());
	}

	private Path output() throws IOException {
		return Files.createTempDirectory(this.dir, "restore").resolve("restored.db");
	}

}

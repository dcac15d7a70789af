package io.github.litestream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stock Litestream v0.3 CLI restores a file replica the engine wrote from real SQLite:
 * the latest state, every index, a generation by name and points in time, each equal to what
 * the application had committed there; and its {@code generations}, {@code snapshots} and
 * {@code wal} listings say what this project's listing says. Skipped without the CLI (see
 * {@link StockLitestream}).
 */
@ExtendWith(StockLitestream.Installed.class)
class StockCliRestoreTests {

	@TempDir
	Path dir;

	private StockLitestream litestream;

	private Path dbPath;

	private TableWorkload app;

	private FileReplicaClient client;

	private ReplicatedDatabase database;

	private Replica replica;

	/** Every commit, in order, with where it landed and when it was shipped. */
	private final List<Commit> commits = new ArrayList<>();

	@BeforeEach
	void setUp() throws Exception {
		this.litestream = StockLitestream.require();
		this.dbPath = this.dir.resolve("app.db");
		this.app = new TableWorkload(this.dbPath);
		this.client = new FileReplicaClient(this.dir.resolve("replica"));
		openEngine();
	}

	@AfterEach
	void tearDown() throws Exception {
		this.app.close();
		this.database.close();
	}

	private void openEngine() throws Exception {
		// Checkpoints every 8 pages: a few commits per WAL index.
		this.database = new ReplicatedDatabase(
				DatabaseOptions.defaults(this.dbPath).withCheckpoints(Duration.ofMinutes(1), 8, 10000), new MutableClock());
		this.database.open();
		this.replica = new Replica(this.database, this.client, ReplicaOptions.defaults("file"), new MutableClock());
	}

	@Test
	void restoresTheLatestStateEveryIndexAndPointsInTimeOfOneGeneration() throws Exception {
		commit(12);
		this.replica.snapshot();
		commit(12);
		String generation = this.commits.get(0).generation();
		TreeMap<Long, TableContents> atEndOfIndex = atEndOfIndex(generation);
		assertThat(this.client.snapshots(generation)).hasSizeGreaterThanOrEqualTo(2);
		assertThat(atEndOfIndex).hasSizeGreaterThanOrEqualTo(5);

		assertThat(cliRestore()).isEqualTo(this.app.contents());
		for (var entry : atEndOfIndex.entrySet()) {
			assertThat(cliRestore("-index", Pos.hex(entry.getKey())))
				.as("litestream restore -index %s", Pos.hex(entry.getKey()))
				.isEqualTo(entry.getValue());
		}
		// Not the last commit: a time after the newest object is no backup to the CLI.
		for (Commit commit : this.commits.subList(0, this.commits.size() - 1)) {
			String timestamp = commit.shippedAt().plusMillis(5).toString();
			assertThat(cliRestore("-timestamp", timestamp)).as("litestream restore -timestamp %s", timestamp)
				.isEqualTo(commit.contents());
		}
		assertListingsAgree();
	}

	@Test
	void restoresEitherGenerationByNameAndIndex() throws Exception {
		commit(8);
		String first = this.commits.get(0).generation();
		// Changes the engine did not see start a new generation when it opens again.
		this.database.close();
		this.app.commit(3);
		this.app.commit(3);
		this.app.execute("PRAGMA wal_checkpoint(TRUNCATE)");
		openEngine();
		commit(8);
		String second = this.commits.get(this.commits.size() - 1).generation();
		assertThat(second).isNotEqualTo(first);
		assertThat(this.client.generations()).containsExactlyInAnyOrder(first, second);

		assertThat(cliRestore()).isEqualTo(this.app.contents());
		TreeMap<Long, TableContents> firstIndexes = atEndOfIndex(first);
		assertThat(cliRestore("-generation", first)).isEqualTo(firstIndexes.lastEntry().getValue());
		for (String generation : List.of(first, second)) {
			for (var entry : atEndOfIndex(generation).entrySet()) {
				assertThat(cliRestore("-generation", generation, "-index", Pos.hex(entry.getKey())))
					.as("litestream restore -generation %s -index %s", generation, Pos.hex(entry.getKey()))
					.isEqualTo(entry.getValue());
			}
		}
		Commit middleOfFirst = this.commits.get(4);
		assertThat(cliRestore("-timestamp", middleOfFirst.shippedAt().plusMillis(5).toString()))
			.isEqualTo(middleOfFirst.contents());
		assertListingsAgree();
	}

	/** Commits, copies and ships, one transaction at a time, recording each state. */
	private void commit(int count) throws Exception {
		for (int i = 0; i < count; i++) {
			TableContents contents = this.app.commit(1 + i % 4);
			this.database.sync();
			this.replica.sync();
			Pos pos = this.database.position().orElseThrow();
			Instant shippedAt = Instant.now();
			this.commits.add(new Commit(pos.generation(), pos.index(), shippedAt, contents));
			// File times tell commits apart for -timestamp: let the clock move on.
			Thread.sleep(25);
		}
	}

	/** The state at the end of each index of a generation: its last commit's. */
	private TreeMap<Long, TableContents> atEndOfIndex(String generation) {
		TreeMap<Long, TableContents> states = new TreeMap<>();
		for (Commit commit : this.commits) {
			if (commit.generation().equals(generation)) {
				states.put(commit.index(), commit.contents());
			}
		}
		return states;
	}

	private TableContents cliRestore(String... options) throws Exception {
		Path output = Files.createTempDirectory(this.dir, "cli-restore").resolve("restored.db");
		List<String> arguments = new ArrayList<>(List.of("restore", "-o", output.toString()));
		arguments.addAll(List.of(options));
		arguments.add(url());
		this.litestream.run(Map.of(), arguments.toArray(String[]::new));
		return TableContents.read(output);
	}

	private void assertListingsAgree() throws Exception {
		assertThat(StockListings.printedGenerations(this.litestream.run("generations", url())))
			.isEqualTo(StockListings.generations(this.client))
			.hasSize(this.client.generations().size());
		assertThat(StockListings.printedObjects(this.litestream.run("snapshots", url())))
			.isEqualTo(StockListings.snapshots(this.client))
			.isNotEmpty();
		assertThat(StockListings.printedObjects(this.litestream.run("wal", url())))
			.isEqualTo(StockListings.wal(this.client))
			.isNotEmpty();
	}

	private String url() {
		return this.client.root().toUri().toString();
	}

	private record Commit(String generation, long index, Instant shippedAt, TableContents contents) {
	}

}

package io.github.litestream;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.github.litestream.ReplicatedHistory.Commit;
import io.github.litestream.db.CheckpointMode;
import io.github.litestream.replica.Pos;
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

	private FileReplicaClient client;

	private ReplicatedHistory history;

	@BeforeEach
	void setUp() throws Exception {
		this.litestream = StockLitestream.require();
		this.client = new FileReplicaClient(this.dir.resolve("replica"));
		this.history = new ReplicatedHistory(this.dir.resolve("app.db"), this.client);
	}

	@AfterEach
	void tearDown() throws Exception {
		this.history.close();
	}

	@Test
	void restoresTheLatestStateEveryIndexAndPointsInTimeOfOneGeneration() throws Exception {
		this.history.commit(12);
		this.history.snapshot();
		this.history.commit(12);
		String generation = this.history.generation();
		TreeMap<Long, TableContents> atEndOfIndex = this.history.atEndOfIndex(generation);
		assertThat(this.client.snapshots(generation)).hasSizeGreaterThanOrEqualTo(2);
		assertThat(atEndOfIndex).hasSizeGreaterThanOrEqualTo(5);

		assertThat(cliRestore()).isEqualTo(this.history.contents());
		for (var entry : atEndOfIndex.entrySet()) {
			assertThat(cliRestore("-index", Pos.hex(entry.getKey())))
				.as("litestream restore -index %s", Pos.hex(entry.getKey()))
				.isEqualTo(entry.getValue());
		}
		List<Commit> commits = this.history.commits();
		// Not the last commit: a time after the newest object is no backup to the CLI.
		for (Commit commit : commits.subList(0, commits.size() - 1)) {
			String timestamp = commit.shippedAt().plusMillis(5).toString();
			assertThat(cliRestore("-timestamp", timestamp)).as("litestream restore -timestamp %s", timestamp)
				.isEqualTo(commit.contents());
		}
		assertListingsAgree();
	}

	@Test
	void restoresEitherGenerationByNameAndIndex() throws Exception {
		this.history.commit(8);
		String first = this.history.generation();
		this.history.restartAfterUnseenChanges();
		this.history.commit(8);
		String second = this.history.generation();
		assertThat(second).isNotEqualTo(first);
		assertThat(this.client.generations()).containsExactlyInAnyOrder(first, second);

		assertThat(cliRestore()).isEqualTo(this.history.contents());
		assertThat(cliRestore("-generation", first))
			.isEqualTo(this.history.atEndOfIndex(first).lastEntry().getValue());
		for (String generation : List.of(first, second)) {
			for (var entry : this.history.atEndOfIndex(generation).entrySet()) {
				assertThat(cliRestore("-generation", generation, "-index", Pos.hex(entry.getKey())))
					.as("litestream restore -generation %s -index %s", generation, Pos.hex(entry.getKey()))
					.isEqualTo(entry.getValue());
			}
		}
		Commit middleOfFirst = this.history.commits().get(4);
		assertThat(cliRestore("-timestamp", middleOfFirst.shippedAt().plusMillis(5).toString()))
			.isEqualTo(middleOfFirst.contents());
		assertListingsAgree();
	}

	@Test
	void restoresAnIndexSnapshottedAfterATimeBasedCheckpoint() throws Exception {
		this.history.commit(3);
		assertThat(this.history.checkpointByTime()).containsExactly(CheckpointMode.PASSIVE);
		this.history.commit(1);
		this.history.snapshot();
		this.history.commit(3);
		List<Commit> commits = this.history.commits();
		// The snapshot is taken in the middle of an index, after pages of that index reached the
		// database file: the case where the starter's snapshots differ from Litestream's.
		long index = commits.get(2).index();
		assertThat(commits.get(3).index()).as("indexes %s", commits.stream().map(Commit::index).toList())
			.isEqualTo(index);
		assertThat(this.client.snapshots(this.history.generation())).extracting((snapshot) -> snapshot.index())
			.contains(index);

		assertThat(cliRestore()).isEqualTo(this.history.contents());
		for (var entry : this.history.atEndOfIndex(this.history.generation()).entrySet()) {
			assertThat(cliRestore("-index", Pos.hex(entry.getKey())))
				.as("litestream restore -index %s", Pos.hex(entry.getKey()))
				.isEqualTo(entry.getValue());
		}
		for (Commit commit : commits.subList(0, commits.size() - 1)) {
			String timestamp = commit.shippedAt().plusMillis(5).toString();
			assertThat(cliRestore("-timestamp", timestamp)).as("litestream restore -timestamp %s", timestamp)
				.isEqualTo(commit.contents());
		}
	}

	private TableContents cliRestore(String... options) throws Exception {
		List<String> arguments = new ArrayList<>(List.of(options));
		arguments.add(url());
		return this.litestream.restore(this.dir, Map.of(), arguments.toArray(String[]::new));
	}

	private void assertListingsAgree() throws Exception {
		StockListings.assertCliListsTheSame(this.litestream, this.client, Map.of(), url());
	}

	private String url() {
		return this.client.root().toUri().toString();
	}

}

package io.github.litestream.restore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restores the replica written by the stock Litestream v0.3.14 CLI at every index, and checks
 * the rows against what {@code litestream restore -index} produced.
 */
class RestoreFixtureTests {

	@TempDir
	Path temp;

	private final Restorer restorer = new Restorer();

	static List<Fixture.Expected> expected() {
		return Fixture.expected();
	}

	@ParameterizedTest(name = "index {0}")
	@MethodSource("expected")
	void restoresEveryIndexLikeLitestream(Fixture.Expected expected) throws Exception {
		Path output = this.temp.resolve("restored.db");
		RestoreOptions options = RestoreOptions.latest(output);
		if (expected.index() != null) {
			options = options.withIndex(expected.index());
		}
		RestoreResult result = this.restorer.restore(new FileReplicaClient(Fixture.replica()), options);
		assertThat(result.restored()).isTrue();
		assertThat(result.plan().generation()).isEqualTo(Fixture.GENERATION);
		assertThat(RestoredDatabase.summary(output, expected.index())).isEqualTo(expected);
		RestoredDatabase.oneCommittedState(output);
		assertThat(RestoredDatabase.integrityCheckWithCli(output)).isEqualTo("ok");
		assertThat(leftovers()).containsExactly("restored.db");
	}

	@Test
	void latestRestoreHasTheSamePayloadsAsLitestreams() throws Exception {
		Path output = this.temp.resolve("latest.db");
		RestoreResult result = this.restorer.restore(new FileReplicaClient(Fixture.replica()),
				RestoreOptions.latest(output));
		assertThat(result.plan().targetIndex()).isEqualTo(0x28);
		assertThat(result.plan().snapshot().index()).isEqualTo(0x23);
		assertThat(RestoredDatabase.payloadSha256WithCli(output)).isEqualTo(Fixture.LATEST_PAYLOAD_SHA256);
	}

	@Test
	void theReadmeCountsTheReplicasFilesAsTheyAre() throws Exception {
		List<String> segments;
		try (Stream<Path> files = Files.walk(Fixture.replica())) {
			segments = files.map((file) -> file.getFileName().toString())
				.filter((name) -> name.matches("[0-9a-f]{8}_[0-9a-f]{8}\\.wal\\.lz4"))
				.toList();
		}
		long indexes = segments.stream().map((name) -> name.substring(0, 8)).distinct().count();
		assertThat(Files.readString(Fixture.directory().resolve("README.md")))
			.contains(indexes + " WAL indexes")
			.contains(segments.size() + " WAL segments");
	}

	@Test
	void parallelismDoesNotChangeTheResult() throws Exception {
		Path one = this.temp.resolve("one/restored.db");
		Path eight = this.temp.resolve("eight/restored.db");
		FileReplicaClient client = new FileReplicaClient(Fixture.replica());
		this.restorer.restore(client, RestoreOptions.latest(one).withIndex(0x18).withParallelism(1));
		this.restorer.restore(client, RestoreOptions.latest(eight).withIndex(0x18).withParallelism(8));
		assertThat(RestoredDatabase.summary(one, 0x18L)).isEqualTo(Fixture.expectedAt(0x18));
		assertThat(RestoredDatabase.sha256(Files.readAllBytes(one)))
			.isEqualTo(RestoredDatabase.sha256(Files.readAllBytes(eight)));
		assertThat(RestoredDatabase.payloadSha256WithCli(one)).isEqualTo(RestoredDatabase.payloadSha256WithCli(eight));
	}

	@Test
	void createsMissingParentDirectoriesAndKeepsAStaleWalUnderAnotherName() throws Exception {
		Path output = this.temp.resolve("a/b/app.db");
		Files.createDirectories(output.getParent());
		Files.writeString(output.resolveSibling("app.db-wal"), "stale");
		Files.writeString(output.resolveSibling("app.db-shm"), "stale");
		Path state = output.resolveSibling(".app.db-litestream/generations/0123456789abcdef/wal");
		Files.createDirectories(state);
		Files.writeString(state.resolve("00000000.wal"), "stale");
		Files.writeString(output.resolveSibling(".app.db-litestream/generation"), "0123456789abcdef\n");
		this.restorer.restore(new FileReplicaClient(Fixture.replica()), RestoreOptions.latest(output));
		List<Path> files;
		try (var listing = Files.list(output.getParent())) {
			files = listing.sorted().toList();
		}
		// The -shm and the local state hold no data; the -wal may hold a lost database's last commits.
		assertThat(files).hasSize(2);
		assertThat(files.get(0).getFileName()).hasToString("app.db");
		assertThat(files.get(1).getFileName().toString()).matches("app\\.db-wal\\.orphaned-\\d{8}T\\d{6}Z");
		assertThat(files.get(1)).hasContent("stale");
		assertThat(RestoredDatabase.summary(output, null)).isEqualTo(Fixture.expected().get(Fixture.expected().size() - 1));
	}

	private List<String> leftovers() throws Exception {
		try (var files = Files.list(this.temp)) {
			return files.map((path) -> path.getFileName().toString()).sorted().toList();
		}
	}

}

package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.github.litestream.replica.AgeReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.AgeFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * The stock Litestream v0.3 CLI restores an age-encrypted file replica the engine wrote to two
 * recipients (the CLI fixture's test keys), with either identity given as its configuration
 * file's {@code age.identities}; without an identity it cannot read the replica at all.
 * Skipped without the CLI (see {@link StockLitestream}).
 */
@ExtendWith(StockLitestream.Installed.class)
class StockCliAgeRestoreTests {

	@TempDir
	Path dir;

	private StockLitestream litestream;

	private Path replicaRoot;

	private ReplicatedHistory history;

	@BeforeEach
	void setUp() throws Exception {
		this.litestream = StockLitestream.require();
		this.replicaRoot = this.dir.resolve("replica");
		AgeReplicaClient client = new AgeReplicaClient(new FileReplicaClient(this.replicaRoot),
				List.of(AgeFixture.identity(1).recipient(), AgeFixture.identity(2).recipient()), List.of());
		this.history = new ReplicatedHistory(this.dir.resolve("app.db"), client);
	}

	@AfterEach
	void tearDown() throws Exception {
		this.history.close();
	}

	@ParameterizedTest(name = "identity-{0}")
	@ValueSource(ints = { 1, 2 })
	void restoresTheLatestStateAndEveryIndexWithEitherIdentity(int identity) throws Exception {
		this.history.commit(8);
		this.history.snapshot();
		this.history.commit(8);
		Path config = config(identity);
		// The configuration names a database; -o puts the restore elsewhere.
		String database = this.dir.resolve("cli/app.db").toString();

		assertThat(this.litestream.restore(this.dir, Map.of(), "-config", config.toString(), database))
			.isEqualTo(this.history.contents());
		for (var entry : this.history.atEndOfIndex(this.history.generation()).entrySet()) {
			assertThat(this.litestream.restore(this.dir, Map.of(), "-config", config.toString(), "-index",
					Pos.hex(entry.getKey()), database))
				.as("litestream restore -index %s with identity-%s", Pos.hex(entry.getKey()), identity)
				.isEqualTo(entry.getValue());
		}
		assertThatIOException()
			.isThrownBy(() -> this.litestream.restore(this.dir, Map.of(), this.replicaRoot.toUri().toString()))
			.withMessageContaining("cannot restore snapshot");
	}

	private Path config(int identity) throws IOException {
		String secret = Files.readAllLines(AgeFixture.identityFile(identity)).stream()
			.filter((line) -> line.startsWith("AGE-SECRET-KEY-"))
			.findFirst()
			.orElseThrow();
		return Files.writeString(this.dir.resolve("litestream-" + identity + ".yml"),
				String.join("\n", "dbs:", "  - path: " + this.dir.resolve("cli/app.db"), "    replicas:",
						"      - type: file", "        path: " + this.replicaRoot, "        age:",
						"          identities: [" + secret + "]", ""));
	}

}

package io.github.litestream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.db.FollowerCopyMark;
import io.github.litestream.replica.Pos;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code restore} on the replica the stock Litestream v0.3.14 CLI wrote: every index gives
 * the rows expected.txt lists for it, a timestamp picks the index whose objects it follows,
 * {@code -dry-run} prints the plan and writes nothing, and every refusal is one line naming
 * what to change, a non-zero exit code, and no file written.
 */
class RestoreCommandTests {

	static final Instant BASE = Instant.parse("2026-11-30T02:00:00Z");

	@TempDir
	Path dir;

	private Path replica;

	private String url;

	private Path output;

	private final Cli cli = new Cli();

	@BeforeEach
	void copyReplica() throws IOException {
		this.replica = CliFixture.copyWithTimes(this.dir.resolve("replica"), BASE);
		this.url = "file://" + this.replica;
		Files.createDirectories(this.dir.resolve("out"));
		this.output = this.dir.resolve("out/restored.db");
	}

	static List<Long> indexes() {
		return CliFixture.indexes();
	}

	@ParameterizedTest
	@MethodSource("indexes")
	void restoresEveryIndexAsTheStockCliDoes(long index) throws Exception {
		Cli.Result result = this.cli.run("restore", "-o", this.output.toString(), "-index", Pos.hex(index), this.url);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(CliFixture.summary(this.output)).isEqualTo(CliFixture.expected(index));
	}

	@Test
	void restoresTheLatestStateByDefault() throws Exception {
		Cli.Result result = this.cli.run("restore", "-o", this.output.toString(), this.url);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(CliFixture.summary(this.output)).isEqualTo(CliFixture.expected(null));
		assertThat(result.out()).contains("file", CliFixture.GENERATION, "00000023", "00000023-00000028");
	}

	@Test
	void restoresTheStateAsOfATimestamp() throws Exception {
		Instant duringIndex21 = BASE.plusSeconds(0x15 * 60 + 30);

		Cli.Result result = this.cli.run("restore", "-o", this.output.toString(), "-timestamp", duringIndex21.toString(),
				this.url);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(CliFixture.summary(this.output)).isEqualTo(CliFixture.expected(0x15L));
	}

	@Test
	void aTimestampIsRestoredFromAReplicaThatHoldsItWhenTheMostRecentOneDoesNot() throws Exception {
		// "recent" was written a day later (a copy with a shorter retention, say): it is the most
		// recent replica, but only "archive" holds the moment asked for, as Litestream finds.
		Path recent = CliFixture.copyWithTimes(this.dir.resolve("recent"), BASE.plusSeconds(86400));
		Path database = this.dir.resolve("data/app.db");
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - name: recent
				        path: %s
				      - name: archive
				        path: %s
				""".formatted(database, recent, this.replica));
		Instant duringIndex21 = BASE.plusSeconds(0x15 * 60 + 30);

		Cli.Result result = this.cli.run("restore", "-config", config.toString(), "-o", this.output.toString(),
				"-timestamp", duringIndex21.toString(), database.toString());

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).contains("archive");
		assertThat(CliFixture.summary(this.output)).isEqualTo(CliFixture.expected(0x15L));
	}

	@Test
	void restoresAConfiguredDatabaseToItsPathFromLitestreamYml() throws Exception {
		Path database = this.dir.resolve("data/app.db");
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - type: file
				        path: %s
				""".formatted(database, this.replica));

		Cli.Result result = this.cli.run("restore", "-config", config.toString(), "-index", "0000000a",
				database.toString());

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(CliFixture.summary(database)).isEqualTo(CliFixture.expected(0xaL));
	}

	@Test
	void dryRunPrintsThePlanAndWritesNothing() throws Exception {
		Path generation = CliFixture.generationDirectory(this.replica);
		long bytes = Files.size(generation.resolve("snapshots/00000023.snapshot.lz4"));
		int segments = 0;
		try (Stream<Path> wal = Files.list(generation.resolve("wal"))) {
			for (Path segment : wal.toList()) {
				if (Long.parseLong(segment.getFileName().toString().substring(0, 8), 16) >= 0x23) {
					bytes += Files.size(segment);
					segments++;
				}
			}
		}
		List<Path> before = files();

		Cli.Result result = this.cli.run("restore", "-dry-run", "-o", this.output.toString(), this.url);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out().lines().toList()).hasSize(2);
		assertThat(result.out().lines().toList().get(1).split("\\s+")).containsExactly("file", CliFixture.GENERATION,
				"00000023", "00000023-00000028", String.valueOf(segments), String.valueOf(bytes),
				this.output.toString());
		assertThat(files()).isEqualTo(before);
	}

	@Test
	void dryRunPrintsJson() {
		Cli.Result result = this.cli.run("restore", "-dry-run", "--json", "-o", this.output.toString(), "-index",
				"0000000c", this.url);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).startsWith("[\n  {\"replica\": \"file\", \"generation\": \"" + CliFixture.GENERATION
				+ "\", \"snapshot\": \"0000000a\", \"wal\": \"0000000a-0000000c\", \"segments\": ")
			.endsWith(", \"output\": \"" + this.output + "\"}\n]\n");
	}

	@Test
	void aDryRunPlansTheRestoreOfADatabaseThatExistsAndKeepsIt() throws Exception {
		Files.writeString(this.output, "the live database");
		List<Path> before = files();

		Cli.Result result = this.cli.run("restore", "-dry-run", "-o", this.output.toString(), this.url);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out().lines().toList()).hasSize(2);
		assertThat(files()).isEqualTo(before);
		assertThat(Files.readString(this.output)).isEqualTo("the live database");
	}

	@Test
	void anExistingOutputIsRefusedAndKept() throws Exception {
		Files.writeString(this.output, "not a database");
		List<Path> before = files();

		Cli.Result result = this.cli.run("restore", "-o", this.output.toString(), this.url);

		assertOneLineFailure(result, "already exists", "-o", "-if-db-not-exists");
		assertThat(Files.readString(this.output)).isEqualTo("not a database");
		assertThat(files()).isEqualTo(before);
	}

	@Test
	void anExistingOutputIsSkippedWithIfDbNotExists() throws Exception {
		Files.writeString(this.output, "not a database");

		Cli.Result result = this.cli.run("restore", "-if-db-not-exists", "-o", this.output.toString(), this.url);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(Files.readString(this.output)).isEqualTo("not a database");
	}

	@Test
	void aFollowersCopyNotHandedOverIsRefusedOrWithIfDbNotExistsSetAsideAndRestored() throws Exception {
		// What a follower that stopped part way leaves: possibly torn, so never kept as the database.
		Files.writeString(this.output, "a torn copy");
		FollowerCopyMark.mark(this.output, this.replica.toString());

		Cli.Result refused = this.cli.run("restore", "-o", this.output.toString(), this.url);

		assertOneLineFailure(refused, "the copy of a follower of " + this.replica, "if-db-not-exists");
		assertThat(Files.readString(this.output)).isEqualTo("a torn copy");

		Cli.Result result = this.cli.run("restore", "-if-db-not-exists", "-o", this.output.toString(), this.url);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(CliFixture.summary(this.output)).isEqualTo(CliFixture.expected(null));
		try (Stream<Path> files = Files.list(this.output.getParent())) {
			assertThat(files.filter((file) -> file.getFileName().toString().startsWith("restored.db.follower-copy-")))
				.singleElement()
				.satisfies((aside) -> assertThat(Files.readString(aside)).isEqualTo("a torn copy"));
		}
		assertThat(FollowerCopyMark.of(this.output)).doesNotExist();
	}

	@Test
	void aTimestampBeforeTheFirstBackupIsRefused() throws Exception {
		List<Path> before = files();

		Cli.Result result = this.cli.run("restore", "-o", this.output.toString(), "-timestamp",
				"2026-11-30T01:00:00Z", this.url);

		assertOneLineFailure(result, "choose a timestamp at or after 2026-11-30T02:00:00Z");
		assertThat(files()).isEqualTo(before);
	}

	@Test
	void anIndexThatDoesNotExistIsRefused() throws Exception {
		List<Path> before = files();

		Cli.Result result = this.cli.run("restore", "-o", this.output.toString(), "-index", "0000ffff", this.url);

		assertOneLineFailure(result, "has no index 0000ffff", "restore index 00000028 or lower");
		assertThat(files()).isEqualTo(before);
	}

	@Test
	void anUnknownReplicaIsRefused() throws Exception {
		Path database = this.dir.resolve("data/app.db");
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - name: backup
				        path: %s
				""".formatted(database, this.replica));
		List<Path> before = files();

		Cli.Result result = this.cli.run("restore", "-config", config.toString(), "-replica", "offsite",
				database.toString());

		assertOneLineFailure(result, "replica \"offsite\" not found", "pass -replica with one of backup");
		assertThat(files()).isEqualTo(before);
	}

	@Test
	void aGenerationThatDoesNotExistIsRefused() throws Exception {
		List<Path> before = files();

		Cli.Result result = this.cli.run("restore", "-o", this.output.toString(), "-generation", "0123456789abcdef",
				this.url);

		assertOneLineFailure(result, "generation 0123456789abcdef does not exist", CliFixture.GENERATION);
		assertThat(files()).isEqualTo(before);
	}

	@Test
	void aReplicaWithoutBackupIsAFailureUnlessIfReplicaExists() throws Exception {
		Path empty = Files.createDirectories(this.dir.resolve("empty"));

		Cli.Result failure = this.cli.run("restore", "-o", this.output.toString(), "file://" + empty);
		Cli.Result skipped = this.cli.run("restore", "-if-replica-exists", "-o", this.output.toString(),
				"file://" + empty);

		assertOneLineFailure(failure, "no matching backups found", "-if-replica-exists");
		assertThat(skipped.exitCode()).as(skipped.toString()).isZero();
		assertThat(this.output).doesNotExist();
	}

	@Test
	void aTimeOrGenerationNoBackupHoldsIsSkippedWithIfReplicaExistsAsInLitestream() throws Exception {
		// Litestream v0.3 finds no restore target for either, as for an empty replica.
		Path database = this.dir.resolve("data/app.db");
		Path config = Files.writeString(this.dir.resolve("litestream.yml"), """
				dbs:
				  - path: %s
				    replicas:
				      - name: recent
				        path: %s
				      - name: archive
				        path: %s
				""".formatted(database, CliFixture.copyWithTimes(this.dir.resolve("recent"), BASE), this.replica));
		List<Path> before = files();

		List<Cli.Result> results = List.of(
				this.cli.run("restore", "-if-replica-exists", "-o", this.output.toString(), "-timestamp",
						"2026-11-30T01:00:00Z", this.url),
				this.cli.run("restore", "-if-replica-exists", "-o", this.output.toString(), "-generation",
						"0123456789abcdef", this.url),
				this.cli.run("restore", "-if-replica-exists", "-config", config.toString(), "-timestamp",
						"2026-11-30T01:00:00Z", database.toString()),
				this.cli.run("restore", "-if-replica-exists", "-config", config.toString(), "-generation",
						"0123456789abcdef", database.toString()),
				this.cli.run("restore", "-if-replica-exists", "-dry-run", "-o", this.output.toString(), "-timestamp",
						"2026-11-30T01:00:00Z", this.url));

		assertThat(results).allSatisfy((result) -> {
			assertThat(result.exitCode()).as(result.toString()).isZero();
			assertThat(result.err()).as(result.toString()).startsWith("no matching backups found");
			assertThat(result.out()).isEmpty();
		});
		assertThat(files()).isEqualTo(before);
	}

	@Test
	void anIndexThatDoesNotExistIsRefusedEvenWithIfReplicaExists() throws Exception {
		// Litestream finds the generation, then fails to restore the index.
		Cli.Result result = this.cli.run("restore", "-if-replica-exists", "-o", this.output.toString(), "-index",
				"0000ffff", this.url);

		assertOneLineFailure(result, "has no index 0000ffff");
		assertThat(this.output).doesNotExist();
	}

	@Test
	void aReplicaUrlNeedsAnOutput() {
		Cli.Result result = this.cli.run("restore", this.url);

		assertOneLineFailure(result, "output path required", "-o");
	}

	@Test
	void aReplicaUrlOfAnUnknownTypeIsOneLine() {
		Cli.Result result = this.cli.run("restore", "-o", this.output.toString(), "webdav://host/backups");

		assertOneLineFailure(result, "replica URL webdav://host/backups", "unknown replica type 'webdav'",
				"file:///backups/app");
		assertThat(this.output).doesNotExist();
	}

	@Test
	void malformedFlagsAreUsageErrors() {
		assertThat(this.cli.run("restore", "-o", this.output.toString(), "-index", "xyz", this.url).exitCode())
			.isEqualTo(ExitCodes.USAGE);
		assertThat(this.cli.run("restore", "-o", this.output.toString(), "-timestamp", "yesterday", this.url).exitCode())
			.isEqualTo(ExitCodes.USAGE);
		assertThat(this.cli.run("restore", "-o", this.output.toString(), "-index", "1", "-timestamp",
				BASE.toString(), this.url)
			.exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(this.cli.run("restore", "-o", this.output.toString(), "-bogus", this.url).exitCode())
			.isEqualTo(ExitCodes.USAGE);
		assertThat(this.cli.run("restore").exitCode()).isEqualTo(ExitCodes.USAGE);
		assertThat(this.output).doesNotExist();
	}

	private void assertOneLineFailure(Cli.Result result, String... parts) {
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(result.err().strip().lines().toList()).as(result.toString()).hasSize(1);
		assertThat(result.err()).startsWith("error: ").contains(parts);
		assertThat(result.out()).isEmpty();
	}

	private List<Path> files() throws IOException {
		try (Stream<Path> tree = Files.walk(this.dir)) {
			return tree.sorted().toList();
		}
	}

}

package io.github.litestream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code -wal} or {@code -journal} file left beside a missing output may hold the last
 * commits of the database it belonged to (one deleted or moved away without it). The engine
 * would delete it so that SQLite does not replay it into the restored file; the operator's
 * tool refuses instead, names the file, and deletes nothing.
 */
class StaleSidecarFilesTests {

	@TempDir
	Path dir;

	private String url;

	private Path output;

	private final Cli cli = new Cli();

	@BeforeEach
	void copyReplica() throws IOException {
		this.url = "file://" + CliFixture.copyWithTimes(this.dir.resolve("replica"), RestoreCommandTests.BASE);
		this.output = Files.createDirectories(this.dir.resolve("data")).resolve("app.db");
	}

	@ParameterizedTest
	@ValueSource(strings = { "-wal", "-journal" })
	void aNonEmptyWalOrJournalBesideAMissingOutputIsRefusedAndKept(String suffix) throws Exception {
		Path stale = this.output.resolveSibling("app.db" + suffix);
		Files.writeString(stale, "the last commits of a deleted database");

		for (List<String> flags : List.of(List.<String>of(), List.of("-if-db-not-exists"))) {
			List<String> args = new ArrayList<>(List.of("restore", "-o", this.output.toString()));
			args.addAll(flags);
			args.add(this.url);
			Cli.Result result = this.cli.run(args.toArray(String[]::new));

			assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILED);
			assertThat(result.err().strip().lines().toList()).as(result.toString()).hasSize(1);
			assertThat(result.err()).startsWith("error: ").contains(stale.toString(), "move it away", "-o");
			assertThat(this.output).doesNotExist();
			assertThat(Files.readString(stale)).isEqualTo("the last commits of a deleted database");
		}
	}

	@Test
	void aDryRunPlansAndWarnsThatTheRestoreWouldRefuse() throws Exception {
		Path stale = Files.writeString(this.output.resolveSibling("app.db-wal"), "the last commits");

		Cli.Result result = this.cli.run("restore", "-dry-run", "-o", this.output.toString(), this.url);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out().lines().toList()).hasSize(2);
		assertThat(result.err()).startsWith("warning: the restore would refuse: ").contains(stale.toString());
		assertThat(Files.readString(stale)).isEqualTo("the last commits");
	}

	@ParameterizedTest
	@ValueSource(strings = { "-wal", "-shm" })
	void anEmptyWalOrAnShmHoldsNoCommitsAndIsReplaced(String suffix) throws Exception {
		Path stale = this.output.resolveSibling("app.db" + suffix);
		Files.writeString(stale, suffix.equals("-shm") ? "shared memory index" : "");

		Cli.Result result = this.cli.run("restore", "-o", this.output.toString(), this.url);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(CliFixture.summary(this.output)).isEqualTo(CliFixture.expected(null));
	}

}

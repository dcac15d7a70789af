package io.github.litestream.cli;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wrong usage is one line on standard error, as Litestream prints it and as every other
 * failure of this tool is, naming flags as the documentation and Litestream write them
 * ({@code -timestamp}, not {@code --timestamp}), and pointing to the command's {@code -h};
 * not the whole usage screen, whose first line is the only one that matters.
 */
class UsageErrorTests {

	private final Cli cli = new Cli();

	@Test
	void aMalformedValueNamesTheFlagAsWrittenAndTheHelp() {
		Cli.Result result = this.cli.run("restore", "-o", "/tmp/x.db", "-timestamp", "yesterday", "file:///backups/app");

		assertOneLine(result, "-timestamp", "'yesterday' is not an RFC 3339 time", "litestream-cli restore -h");
		assertThat(result.err()).doesNotContain("--timestamp");
	}

	@Test
	void everyKindOfWrongUsageIsOneLine() {
		List<Cli.Result> results = List.of(this.cli.run("restore", "-bogus", "file:///backups/app"),
				this.cli.run("snapshots"), this.cli.run("wal", "-generation", "xyz", "file:///backups/app"),
				this.cli.run("databases", "extra"), this.cli.run("nope"), this.cli.run());

		assertThat(results).allSatisfy((result) -> assertOneLine(result, "-h"));
		assertThat(results.get(0).err()).contains("-bogus", "litestream-cli restore -h");
		assertThat(results.get(1).err()).contains("DB_PATH|REPLICA_URL", "litestream-cli snapshots -h");
	}

	private static void assertOneLine(Cli.Result result, String... parts) {
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
		assertThat(result.err().strip().lines().toList()).as(result.toString()).hasSize(1);
		assertThat(result.err()).as(result.toString()).startsWith("error: ").contains(parts);
		assertThat(result.out()).isEmpty();
	}

}

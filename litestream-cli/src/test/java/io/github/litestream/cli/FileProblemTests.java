package io.github.litestream.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A file system failure names the path, what is wrong with it, and where to look, rather than
 * the JDK's bare path ({@code error: /data/app.db}).
 */
class FileProblemTests {

	@TempDir
	Path dir;

	@Test
	void anOutputBelowARegularFileSaysAFileIsInTheWay() throws Exception {
		Path replica = CliFixture.copyWithTimes(this.dir.resolve("replica"), RestoreCommandTests.BASE);
		Path file = Files.writeString(this.dir.resolve("data"), "a file, not a directory");

		Cli.Result result = new Cli().run("restore", "-o", file.resolve("app.db").toString(), "file://" + replica);

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(result.err().strip().lines().toList()).as(result.toString()).hasSize(1);
		assertThat(result.err()).startsWith("error: cannot use " + file + ": a file is in the way")
			.contains("-o", "permissions");
		assertThat(Files.readString(file)).isEqualTo("a file, not a directory");
	}

}

package io.github.litestream.cli;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code restore -v}, Litestream's flag up to v0.3.11, is taken: the restore script of
 * Litestream's examples ({@code litestream restore -v -if-replica-exists -o DB URL}) runs
 * unchanged. The jar test checks what it prints.
 */
class VerboseFlagTests {

	@TempDir
	Path dir;

	@Test
	void theRestoreScriptOfLitestreamsExamplesRunsUnchanged() throws Exception {
		Path replica = CliFixture.copyWithTimes(this.dir.resolve("replica"), RestoreCommandTests.BASE);
		Path output = this.dir.resolve("db");

		Cli.Result result = new Cli().run("restore", "-v", "-if-replica-exists", "-o", output.toString(),
				"file://" + replica);

		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(CliFixture.summary(output)).isEqualTo(CliFixture.expected(null));
	}

}

package io.github.litestream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.FollowerOptions;
import io.github.litestream.restore.ReplicaFollower;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code restore} to a file a {@link ReplicaFollower} (a standby's) follows in this JVM is one
 * line naming the file and the follower, exit 1, and nothing written; once the follower
 * stopped, the same command restores. ({@link CliJarTests} runs it from another process.)
 */
class FollowedOutputTests {

	@TempDir
	Path dir;

	@Test
	void restoreToAFileAFollowerFollowsFailsUntilTheFollowerStops() throws Exception {
		Path replica = CliFixture.copyWithTimes(this.dir.resolve("replica"), RestoreCommandTests.BASE);
		Path output = Files.createDirectories(this.dir.resolve("out")).resolve("app.db");
		// Waits for a first backup in an empty replica: the file is the follower's all the same.
		ReplicaFollower follower = new ReplicaFollower(new FileReplicaClient(this.dir.resolve("empty")), output,
				FollowerOptions.defaults().withPollInterval(Duration.ofMillis(50)));
		follower.start();
		try {
			Cli.Result refused = new Cli().run("restore", "-o", output.toString(), "file://" + replica);

			assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.FAILED);
			assertThat(refused.err()).startsWith("error: Cannot restore to " + output
					+ ": a follower of it is running (this process holds ")
				.contains("stop the follower")
				.hasLineCount(1);
			assertThat(output).doesNotExist();
			assertThat(follower.isRunning()).isTrue();
			assertThat(follower.stop(Duration.ofSeconds(30))).as("nothing to hand over yet").isEmpty();
		}
		finally {
			stopQuietly(follower);
		}
		Cli.Result restored = new Cli().run("restore", "-o", output.toString(), "file://" + replica);

		assertThat(restored.exitCode()).as(restored.toString()).isZero();
		assertThat(CliFixture.summary(output)).isEqualTo(CliFixture.expected(null));
	}

	/** Stops a follower after a failed assertion, which tells more than an error in stopping. */
	static void stopQuietly(ReplicaFollower follower) {
		try {
			follower.stop(Duration.ofSeconds(30));
		}
		catch (IOException ex) {
			// Reported by the assertion that failed, or already stopped.
		}
	}

}

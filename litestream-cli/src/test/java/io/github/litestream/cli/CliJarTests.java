package io.github.litestream.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.FollowerOptions;
import io.github.litestream.restore.ReplicaFollower;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The packaged executable jar, run as an operator runs it ({@code java -jar
 * litestream-cli-<version>.jar}): it restores the stock Litestream CLI's replica to the rows
 * expected.txt lists, exits with the documented codes, and refuses a file that a follower in
 * another process (this test's) follows. Runs after {@code package}, in the
 * {@code integration-test} phase, so {@code ./mvnw verify} runs it.
 */
class CliJarTests {

	@TempDir
	Path dir;

	@Test
	void theJarRestoresAndReportsExitCodes() throws Exception {
		Path replica = CliFixture.copyWithTimes(this.dir.resolve("replica"), RestoreCommandTests.BASE);
		Path output = this.dir.resolve("restored.db");

		Process restore = java("restore", "-o", output.toString(), "-index", "00000019", "file://" + replica);
		Process exists = java("restore", "-o", output.toString(), "file://" + replica);
		Process help = java("snapshots", "-h");
		Process usage = java("restore", "-index");
		Process version = java("version");

		assertThat(exitCode(restore)).isZero();
		assertThat(CliFixture.summary(output)).isEqualTo(CliFixture.expected(0x19L));
		assertThat(exitCode(exists)).isEqualTo(ExitCodes.FAILED);
		assertThat(stderr(exists)).startsWith("error: output " + output + " already exists");
		assertThat(exitCode(help)).isZero();
		assertThat(stdout(help)).contains("Usage: litestream-cli snapshots");
		assertThat(exitCode(usage)).isEqualTo(ExitCodes.USAGE);
		assertThat(exitCode(version)).isZero();
		// The jar's own version, as the build gave it (the jar's name ends with it).
		assertThat(stdout(version).strip()).isEqualTo("litestream-cli "
				+ jar().getFileName().toString().replaceFirst("^litestream-cli-", "").replaceFirst("\\.jar$", ""));
	}

	@Test
	void theJarTakesTheVerboseFlagOfLitestreamsDockerExampleScript() throws Exception {
		Path replica = CliFixture.copyWithTimes(this.dir.resolve("replica"), RestoreCommandTests.BASE);
		Path output = this.dir.resolve("restored.db");

		// As Litestream's examples restore on container start (v0.3.0 to v0.3.11 had -v).
		Process restore = java("restore", "-v", "-if-replica-exists", "-o", output.toString(), "file://" + replica);

		assertThat(exitCode(restore)).isZero();
		assertThat(CliFixture.summary(output)).isEqualTo(CliFixture.expected(null));
		assertThat(stderr(restore)).contains("Restored " + output);
	}

	@Test
	void theJarRefusesToRestoreAFileThatAFollowerInAnotherProcessFollows() throws Exception {
		jar();
		Path replica = CliFixture.copyWithTimes(this.dir.resolve("replica"), RestoreCommandTests.BASE);
		Path output = this.dir.resolve("followed.db");
		// The OS lock beside the file, held by this JVM, is what the jar's process finds taken.
		ReplicaFollower follower = new ReplicaFollower(new FileReplicaClient(this.dir.resolve("empty")), output,
				FollowerOptions.defaults());
		follower.start();
		try {
			Process restore = java("restore", "-o", output.toString(), "file://" + replica);

			assertThat(exitCode(restore)).isEqualTo(ExitCodes.FAILED);
			assertThat(stderr(restore)).startsWith("error: Cannot restore to " + output
					+ ": a follower of it is running (process " + ProcessHandle.current().pid() + " holds ");
			assertThat(output).doesNotExist();
		}
		finally {
			FollowedOutputTests.stopQuietly(follower);
		}
	}

	/** Runs the jar; each process is awaited before the next one reads what it wrote. */
	static Process java(String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-jar", jar().toString()));
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).start();
		process.getOutputStream().close();
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
		return process;
	}

	static Path jar() {
		String jar = System.getProperty("litestream.cli.jar");
		assumeTrue(jar != null, "the jar exists only after package: the pom's jar-tests execution runs this test "
				+ "in the integration-test phase (./mvnw verify)");
		assertThat(Path.of(jar)).exists();
		return Path.of(jar);
	}

	private static int exitCode(Process process) {
		return process.exitValue();
	}

	private static String stdout(Process process) throws IOException {
		return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
	}

	private static String stderr(Process process) throws IOException {
		return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
	}

}

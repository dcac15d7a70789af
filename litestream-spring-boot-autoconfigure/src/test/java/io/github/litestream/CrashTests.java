package io.github.litestream;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a writing, replicating JVM with SIGKILL, again and again, and proves after each kill
 * that a restore is a consistent, gap-free prefix of what was committed.
 */
class CrashTests {

	@TempDir
	Path dir;

	@Test
	void everyRestoreAfterSigkillIsAGapFreePrefixOfTheCommittedRows() throws Exception {
		Path db = this.dir.resolve("app.db");
		Path replica = this.dir.resolve("replica");
		long previousRestored = 0;
		for (int round = 1; round <= 3; round++) {
			long committed = writeUntilKilled(db, replica, 400 * round);
			Path out = this.dir.resolve("restored-" + round + ".db");
			new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(out));
			Summary restored = AppDatabase.summarize(out);
			assertThat(restored.integrity()).isEqualTo("ok");
			assertThat(restored.isGapFreePrefix()).as("round %d: %s (writer logs in %s)", round, restored, this.dir).isTrue();
			assertThat(restored.max()).as("round %d restores no row that was not committed", round)
				.isLessThanOrEqualTo(committed);
			assertThat(restored.max()).as("round %d keeps what earlier rounds replicated", round)
				.isGreaterThanOrEqualTo(previousRestored);
			previousRestored = restored.max();
		}
		assertThat(previousRestored).isPositive();
	}

	/**
	 * Runs the writer until it printed {@code target} commits, SIGKILLs it, and returns the
	 * highest committed seq, read from a copy of the database and its WAL (committed
	 * transactions survive a process crash; the copy leaves the files as the crash left them).
	 */
	private long writeUntilKilled(Path db, Path replica, long target) throws Exception {
		Path log = Files.createTempFile(this.dir, "writer-", ".log");
		Process child = ChildJvm.builder(CrashingWriter.class, List.of("-Xmx128m"), db.toString(), replica.toString())
			.redirectError(log.toFile())
			.start();
		try (BufferedReader out = new BufferedReader(
				new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
			long last = 0;
			String line;
			while (last < target && (line = out.readLine()) != null) {
				if (line.startsWith("commit ")) {
					last = Long.parseLong(line.substring(7).trim());
				}
			}
			assertThat(last).as("the writer reached %d commits", target).isGreaterThanOrEqualTo(target);
		}
		finally {
			child.destroyForcibly();
		}
		assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
		Path copy = Files.createTempDirectory(this.dir, "committed-").resolve("app.db");
		Files.copy(db, copy);
		Files.copy(db.resolveSibling("app.db-wal"), copy.resolveSibling("app.db-wal"));
		Summary committed = AppDatabase.summarize(copy);
		assertThat(committed.isGapFreePrefix()).isTrue();
		return committed.max();
	}

}

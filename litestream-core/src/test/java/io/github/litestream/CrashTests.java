package io.github.litestream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.ReplicationTimeline.LossWindow;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a writing, replicating JVM with SIGKILL, again and again, and proves after each kill
 * that a restore is a consistent, gap-free prefix of what was committed, and that it lost only
 * what was committed within the configured window before the kill, plus the time its replica's
 * last steps took (see {@link ReplicationTimeline}).
 */
class CrashTests {

	@TempDir
	Path dir;

	@Test
	void everyRestoreAfterSigkillIsAGapFreePrefixLosingOnlyTheLastWindow() throws Exception {
		Path db = this.dir.resolve("app.db");
		Path replica = this.dir.resolve("replica");
		long previousRestored = 0;
		for (int round = 1; round <= 3; round++) {
			Run run = writeUntilKilled(db, replica, Duration.ofMillis(1500 + 1000L * round));
			Path out = this.dir.resolve("restored-" + round + ".db");
			new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(out));
			Summary restored = AppDatabase.summarize(out);
			assertThat(restored.integrity()).isEqualTo("ok");
			assertThat(restored.isGapFreePrefix()).as("round %d: %s (writer logs in %s)", round, restored, this.dir).isTrue();
			assertThat(restored.max()).as("round %d restores no row that was not committed", round)
				.isLessThanOrEqualTo(run.committed());
			assertThat(restored.max()).as("round %d keeps what earlier rounds replicated", round)
				.isGreaterThanOrEqualTo(previousRestored);
			long mustSurvive = run.lastCommittedBefore(run.killedAt().minusMillis(run.window().toMillis()));
			assertThat(mustSurvive).as("round %d wrote for longer than the loss window", round).isPositive();
			assertThat(restored.max())
				.as("round %d restores every row committed more than %s before the kill (lost the last %d ms)", round,
						run.window(), run.lostMillis(restored.max()))
				.isGreaterThanOrEqualTo(mustSurvive);
			previousRestored = restored.max();
			System.out.printf("CrashTests round %d: committed %d rows, restored %d, lost the last %d ms before the kill%n",
					round, run.committed(), restored.max(), run.lostMillis(restored.max()));
		}
		assertThat(previousRestored).isPositive();
	}

	/**
	 * Runs the writer for about {@code duration} once the replica holds a snapshot, SIGKILLs it, and returns when each row was
	 * committed and the highest committed seq, read from a copy of the database and its WAL
	 * (committed transactions survive a process crash; the copy leaves the files as the crash
	 * left them).
	 */
	private Run writeUntilKilled(Path db, Path replica, Duration duration) throws Exception {
		Path log = Files.createTempFile(this.dir, "writer-", ".log");
		Path timeline = Files.createTempFile(this.dir, "timeline-", ".log");
		Process child = ChildJvm.builder(CrashingWriter.class, List.of("-Xmx128m"), db.toString(), replica.toString(),
				timeline.toString())
			.redirectError(log.toFile())
			.start();
		NavigableMap<Instant, Long> commits = new TreeMap<>();
		Instant killedAt;
		try (BufferedReader out = new BufferedReader(
				new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
			Instant until = null;
			String line;
			while ((line = out.readLine()) != null) {
				if (line.startsWith("commit ")) {
					String[] parts = line.split(" ");
					Instant at = Instant.ofEpochMilli(Long.parseLong(parts[2]));
					commits.put(at, Long.parseLong(parts[1]));
					// Timed from the first snapshot on the replica: on a loaded machine the writer's
					// start (and its first snapshot) can take most of a round.
					until = (until != null || !holdsSnapshot(replica)) ? until : at.plus(duration);
					if (until != null && !at.isBefore(until)) {
						break;
					}
				}
			}
			assertThat(commits).as("the writer committed rows (log in %s)", log).isNotEmpty();
		}
		finally {
			killedAt = Instant.now();
			child.destroyForcibly();
		}
		assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
		Path copy = Files.createTempDirectory(this.dir, "committed-").resolve("app.db");
		Files.copy(db, copy);
		Files.copy(db.resolveSibling("app.db-wal"), copy.resolveSibling("app.db-wal"));
		Summary committed = AppDatabase.summarize(copy);
		assertThat(committed.isGapFreePrefix()).isTrue();
		LossWindow window = ReplicationTimeline.read(timeline)
			.lossWindow(killedAt.toEpochMilli(), CrashingWriter.MONITOR_INTERVAL, CrashingWriter.SYNC_INTERVAL);
		return new Run(commits, killedAt, committed.max(), window);
	}

	private static boolean holdsSnapshot(Path replica) throws IOException {
		Path generations = replica.resolve("generations");
		if (!Files.isDirectory(generations)) {
			return false;
		}
		try (Stream<Path> files = Files.walk(generations)) {
			return files.anyMatch((file) -> file.getFileName().toString().endsWith(".snapshot.lz4"));
		}
	}

	/**
	 * One writer's life: when it committed which row, as it reported, when it was killed, and
	 * what that kill may lose.
	 */
	private record Run(NavigableMap<Instant, Long> commits, Instant killedAt, long committed, LossWindow window) {

		long lastCommittedBefore(Instant instant) {
			Map.Entry<Instant, Long> entry = this.commits.floorEntry(instant);
			return (entry != null) ? entry.getValue() : 0;
		}

		long lostMillis(long restoredMax) {
			return this.commits.entrySet()
				.stream()
				.filter((entry) -> entry.getValue() > restoredMax)
				.findFirst()
				.map((entry) -> Duration.between(entry.getKey(), this.killedAt).toMillis())
				.orElse(0L);
		}

	}

}

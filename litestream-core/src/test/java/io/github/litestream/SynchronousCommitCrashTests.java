package io.github.litestream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A commit that returned under synchronous replication survives a SIGKILL right after it,
 * though no timer could have shipped it (sync and monitor intervals of 30 s): 20 of 20 times.
 */
class SynchronousCommitCrashTests {

	private static final int ROUNDS = 20;

	@TempDir
	Path dir;

	@Test
	void everyCommitThatReturnedIsInTheReplicaAfterSigkill() throws Exception {
		SplittableRandom random = new SplittableRandom(16);
		for (int round = 1; round <= ROUNDS; round++) {
			Path roundDir = Files.createDirectories(this.dir.resolve("round-" + round));
			Path replica = roundDir.resolve("replica");
			long seq = random.nextInt(1, 12);
			SynchronousKill.afterCommit(SynchronousWriter.class, roundDir, List.of(replica.toString()), Map.of(), seq);
			Path restored = roundDir.resolve("restored.db");
			new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(restored));
			Summary summary = AppDatabase.summarize(restored);
			assertThat(summary.integrity()).isEqualTo("ok");
			assertThat(summary.isGapFreePrefix()).as("round %d: %s", round, summary).isTrue();
			assertThat(summary.max()).as("round %d: commit %d returned before the kill", round, seq)
				.isGreaterThanOrEqualTo(seq);
		}
	}

}

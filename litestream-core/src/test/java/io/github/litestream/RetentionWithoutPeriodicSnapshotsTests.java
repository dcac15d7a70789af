package io.github.litestream;

import java.nio.file.Path;
import java.time.Duration;

import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code snapshot-interval: 0s} with a retention, as in a pasted Litestream v0.3 config: there
 * EnforceRetention takes a snapshot when no snapshot is within the period, then trims the WAL
 * before it. Without that, the first snapshot and every WAL segment since are kept forever.
 */
class RetentionWithoutPeriodicSnapshotsTests {

	@TempDir
	Path dir;

	private final MutableClock clock = new MutableClock();

	@Test
	void retentionWithoutPeriodicSnapshotsStillBoundsTheWal() throws Exception {
		Path path = this.dir.resolve("app.db");
		FileReplicaClient client = new FileReplicaClient(this.dir.resolve("replica"));
		try (AppDatabase app = new AppDatabase(path)) {
			ReplicatedDatabase database = new ReplicatedDatabase(
					DatabaseOptions.defaults(path).withCheckpoints(Duration.ofMinutes(1), 8, 10000), this.clock);
			database.open();
			try {
				Replica replica = new Replica(database, client, ReplicaOptions.defaults("file")
					.withSnapshotInterval(Duration.ZERO)
					.withRetention(Duration.ofHours(1), Duration.ofMinutes(1)), this.clock);
				for (int i = 0; i < 40; i++) {
					app.insert(1 + i % 7);
					database.sync();
					replica.sync();
				}
				String generation = replica.position().orElseThrow().generation();
				long index = replica.position().orElseThrow().index();
				assertThat(index).as("the writes span several WAL indexes").isGreaterThan(2);
				this.clock.advance(Duration.ofHours(2));
				replica.enforceRetention();
				assertThat(client.walSegments(generation)).as("WAL of indexes before the current one, kept forever")
					.allMatch((segment) -> segment.index() >= index);
			}
			finally {
				database.close();
			}
		}
	}

}

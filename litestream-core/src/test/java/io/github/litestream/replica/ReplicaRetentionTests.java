package io.github.litestream.replica;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.AppDatabase;
import io.github.litestream.MutableClock;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * {@link ReplicaRetention} through {@link Replica#enforceRetention()}, on a real database and a
 * file replica whose listing of generations (which only retention does) is counted and can fail.
 */
class ReplicaRetentionTests {

	@TempDir
	Path dir;

	private final AtomicInteger listings = new AtomicInteger();

	private final AtomicBoolean down = new AtomicBoolean();

	private final MutableClock clock = new MutableClock();

	@Test
	void afterAPassWentThroughTheStoreIsListedAgainOnlyOnceAKnownSnapshotExpired() throws Exception {
		Path path = this.dir.resolve("app.db");
		try (AppDatabase app = new AppDatabase(path); ReplicatedDatabase database = open(app, path)) {
			Replica replica = synced(database);
			replica.enforceRetention();
			assertThat(this.listings).hasValue(1);
			replica.enforceRetention();
			assertThat(this.listings).as("nothing expired").hasValue(1);
			this.clock.advance(Duration.ofHours(2));
			replica.enforceRetention();
			assertThat(this.listings).as("the snapshot expired").hasValue(2);
		}
	}

	@Test
	void aFailedPassCountsAsAFailureUntilOneGoesThroughAndIsNotSkipped() throws Exception {
		Path path = this.dir.resolve("app.db");
		try (AppDatabase app = new AppDatabase(path); ReplicatedDatabase database = open(app, path)) {
			Replica replica = synced(database);
			this.down.set(true);
			assertThatIOException().isThrownBy(replica::enforceRetention);
			this.down.set(false);
			replica.sync();
			assertThat(replica.status().failingSince()).as("a sync that went through").isNotNull();
			replica.enforceRetention();
			assertThat(this.listings).as("tried again although nothing expired").hasValue(2);
			assertThat(replica.status().failingSince()).isNull();
		}
	}

	private ReplicatedDatabase open(AppDatabase app, Path path) throws Exception {
		app.insert(3);
		ReplicatedDatabase database = new ReplicatedDatabase(DatabaseOptions.defaults(path));
		database.open();
		return database;
	}

	private Replica synced(ReplicatedDatabase database) throws IOException {
		ReplicaClient counted = new ForwardingReplicaClient(new FileReplicaClient(this.dir.resolve("replica"))) {
			@Override
			public List<String> generations() throws IOException {
				ReplicaRetentionTests.this.listings.incrementAndGet();
				if (ReplicaRetentionTests.this.down.get()) {
					throw new IOException("the store is down");
				}
				return super.generations();
			}
		};
		ReplicaOptions options = ReplicaOptions.defaults("file")
			.withSnapshotInterval(Duration.ZERO)
			.withRetention(Duration.ofHours(1), Duration.ofHours(1));
		Replica replica = new Replica(database, counted, options, this.clock);
		replica.sync();
		return replica;
	}

}

package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * When retention runs: once soon after start, so that instances that live shorter than
 * {@code retention-check-interval} still delete what expired, and then at most every
 * {@code retention} (a longer check interval is capped, as in Litestream v0.3).
 */
class RetentionScheduleTests {

	@TempDir
	Path dir;

	@Test
	void retentionRunsSoonAfterStartNotOneCheckIntervalLater() throws Exception {
		Path path = this.dir.resolve("app.db");
		Path root = this.dir.resolve("replica");
		FileReplicaClient files = new FileReplicaClient(root);
		ReplicaOptions options = ReplicaOptions.defaults("file")
			.withSyncInterval(Duration.ofMillis(50))
			.withRetention(Duration.ofHours(24), Duration.ofHours(1));
		try (AppDatabase app = new AppDatabase(path)) {
			String old = replicateOnce(app, path, files, options, Clock.systemUTC());
			// A generation two days old: the database's local state is gone (a new disk), so the
			// next start begins a new generation, and the old one is past retention.
			deleteRecursively(this.dir.resolve(".app.db-litestream"));
			age(root.resolve("generations").resolve(old), Duration.ofDays(2));
			Litestream engine = new Litestream(Clock.systemUTC(), null);
			try {
				ReplicatedDatabase database = engine.addDatabase(options(path), List.of(new ReplicationTarget(files, options)));
				engine.start();
				app.insert(3);
				Replica replica = engine.replicas(database).get(0);
				await().until(() -> replica.position().isPresent() && replica.position().equals(database.position()));
				String current = replica.position().orElseThrow().generation();
				assertThat(current).isNotEqualTo(old);
				await().untilAsserted(() -> assertThat(files.generations()).containsExactly(current));
			}
			finally {
				engine.stop(Duration.ofSeconds(30));
				engine.close();
			}
		}
	}

	@Test
	void aCheckIntervalLongerThanRetentionIsCappedAtRetention() throws Exception {
		Path path = this.dir.resolve("app.db");
		FileReplicaClient files = new FileReplicaClient(this.dir.resolve("replica"));
		MutableClock clock = new MutableClock();
		// No periodic snapshots: only retention takes one, once the newest is past retention.
		ReplicaOptions options = ReplicaOptions.defaults("file")
			.withSyncInterval(Duration.ofMillis(50))
			.withSnapshotInterval(Duration.ZERO)
			.withRetention(Duration.ofHours(1), Duration.ofHours(24));
		Litestream engine = new Litestream(clock, null);
		try (AppDatabase app = new AppDatabase(path)) {
			ReplicatedDatabase database = engine.addDatabase(options(path), List.of(new ReplicationTarget(files, options)));
			engine.start();
			try {
				app.insert(3);
				Replica replica = engine.replicas(database).get(0);
				await().until(() -> replica.position().isPresent() && replica.position().equals(database.position()));
				String generation = replica.position().orElseThrow().generation();
				SnapshotInfo first = files.snapshots(generation).get(0);
				app.insert(3);
				clock.advance(Duration.ofHours(1).plusMinutes(1));
				// Retention replaces the expired snapshot: within the hour's check, not 24 h later.
				await().untilAsserted(() -> assertThat(files.snapshots(generation)).singleElement()
					.satisfies((snapshot) -> assertThat(snapshot.index()).isGreaterThan(first.index())));
			}
			finally {
				engine.stop(Duration.ofSeconds(30));
				engine.close();
			}
		}
	}

	@Test
	void aRetentionPassThatFailedIsTriedAgainSoonNotOneCheckIntervalLater() throws Exception {
		Path path = this.dir.resolve("app.db");
		AtomicBoolean broken = new AtomicBoolean(true);
		AtomicInteger listings = new AtomicInteger();
		// Only retention lists the generations: the store fails it alone while broken.
		ReplicaClient files = new ForwardingReplicaClient(new FileReplicaClient(this.dir.resolve("replica"))) {
			@Override
			public List<String> generations() throws IOException {
				listings.incrementAndGet();
				if (broken.get()) {
					throw new IOException("the store is down");
				}
				return super.generations();
			}
		};
		ReplicaOptions options = ReplicaOptions.defaults("file")
			.withSyncInterval(Duration.ofMillis(50))
			.withRetention(Duration.ofHours(24), Duration.ofHours(1));
		Litestream engine = new Litestream(Clock.systemUTC(), null);
		try (AppDatabase app = new AppDatabase(path)) {
			ReplicatedDatabase database = engine.addDatabase(options(path), List.of(new ReplicationTarget(files, options)));
			engine.start();
			try {
				app.insert(3);
				Replica replica = engine.replicas(database).get(0);
				await().until(() -> replica.status().failingSince() != null && listings.get() > 0);
				broken.set(false);
				int failedListings = listings.get();
				// The replica reads as failing until retention runs again: not for an hour.
				await().until(() -> listings.get() > failedListings && replica.status().failingSince() == null);
			}
			finally {
				engine.stop(Duration.ofSeconds(30));
				engine.close();
			}
		}
	}

	private String replicateOnce(AppDatabase app, Path path, FileReplicaClient files, ReplicaOptions options,
			Clock clock) throws Exception {
		Litestream engine = new Litestream(clock, null);
		try {
			ReplicatedDatabase database = engine.addDatabase(options(path), List.of(new ReplicationTarget(files, options)));
			engine.start();
			app.insert(3);
			Replica replica = engine.replicas(database).get(0);
			await().until(() -> replica.position().isPresent() && replica.position().equals(database.position()));
			return replica.position().orElseThrow().generation();
		}
		finally {
			engine.stop(Duration.ofSeconds(30));
			engine.close();
		}
	}

	private static DatabaseOptions options(Path path) {
		return DatabaseOptions.defaults(path).withMonitorInterval(Duration.ofMillis(50));
	}

	private static void age(Path tree, Duration by) throws IOException {
		FileTime then = FileTime.from(Instant.now().minus(by));
		try (Stream<Path> paths = Files.walk(tree)) {
			for (Path file : paths.toList()) {
				Files.setLastModifiedTime(file, then);
			}
		}
	}

	private static void deleteRecursively(Path tree) throws IOException {
		try (Stream<Path> paths = Files.walk(tree)) {
			for (Path file : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
				Files.delete(file);
			}
		}
	}

}

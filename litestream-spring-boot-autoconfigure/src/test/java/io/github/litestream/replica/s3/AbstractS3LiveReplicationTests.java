package io.github.litestream.replica.s3;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.boot.actuate.LitestreamHealthIndicator;
import io.github.litestream.boot.actuate.LitestreamHealthProperties;
import io.github.litestream.boot.actuate.ReplicaLagTracker;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.replica.ReplicaListener;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.ReplicaStatus;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.restore.RestoreOptions;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The running engine ({@link Litestream}: monitor and replica threads) against a real
 * S3-compatible server, while the application writes: an outage of the store never reaches
 * the application and replication catches up by itself; the request-economy rule holds under
 * load and while idle; a missing bucket is reported and recovered from once it exists.
 */
abstract class AbstractS3LiveReplicationTests extends S3ReplicationTestSupport {

	private static final Duration PATIENCE = Duration.ofSeconds(60);

	private Litestream litestream;

	/** Starts the engine on {@link #client} with one replica, counting snapshots. */
	private void startEngine(DatabaseOptions options, ReplicaOptions replicaOptions, AtomicInteger snapshots)
			throws Exception {
		this.litestream = closeAfterTest(new Litestream(this.clock, null));
		this.database = this.litestream.addDatabase(options,
				List.of(new ReplicationTarget(this.client, replicaOptions)));
		this.replica = this.litestream.replicas(this.database).get(0);
		this.replica.addListener(new ReplicaListener() {
			@Override
			public void onSnapshot(SnapshotInfo snapshot, Duration duration) {
				snapshots.incrementAndGet();
			}
		});
		this.litestream.start();
	}

	/** The starter's health indicator on this engine: failures count after {@code maxFailure}, lag never. */
	private LitestreamHealthIndicator healthFailingAfter(Duration maxFailure) {
		ReplicaLagTracker lag = new ReplicaLagTracker(this.litestream, this.clock);
		lag.attach();
		LitestreamHealthProperties properties = new LitestreamHealthProperties();
		properties.setMaxFailureDuration(maxFailure);
		properties.setMaxLag(Duration.ofHours(1));
		return new LitestreamHealthIndicator(this.litestream, lag, properties, this.clock);
	}

	/**
	 * Whether the replica holds everything the database has. Under constant writes it rarely
	 * does (each sync ships what was there when it began), so tests wait for it once writes stop.
	 */
	private boolean replicaCaughtUp() {
		return this.replica.position().isPresent() && this.replica.position().equals(this.database.position());
	}

	/** Stops the engine with its final flush and checks a restore holds every committed row. */
	private void stopAndRestoreEverything(long lastCommitted) throws Exception {
		assertThat(this.litestream.stop(PATIENCE)).as("final flush reached the replica").isTrue();
		Summary restored = restore(RestoreOptions.latest(output("restored.db")));
		assertThat(restored).isEqualTo(this.app.summary());
		assertThat(restored.max()).isEqualTo(lastCommitted);
		assertThat(restored.isGapFreePrefix()).isTrue();
		assertThat(restored.integrity()).isEqualTo("ok");
	}

	@Test
	void outageUnderWriteLoadNeverReachesTheApplicationAndReplicationCatchesUp() throws Exception {
		startEngine(DatabaseOptions.defaults(this.dbPath)
			.withMonitorInterval(Duration.ofMillis(50))
			.withCheckpoints(Duration.ofMinutes(1), 64, 10000),
				ReplicaOptions.defaults("s3").withSyncInterval(Duration.ofMillis(100)), new AtomicInteger());
		BackgroundWriter writer = closeAfterTest(new BackgroundWriter(this.app, Duration.ofMillis(2)));
		await().atMost(PATIENCE).until(() -> this.replica.position().isPresent() && writer.committed() >= 100);
		LitestreamHealthIndicator health = healthFailingAfter(Duration.ofMillis(200));
		await().atMost(PATIENCE).until(() -> health.health().getStatus().equals(Status.UP));

		long atOutage = writer.committed();
		store().interrupt();
		ReplicaStatus during;
		try {
			// Keep the store away while the application writes a few hundred more rows (about
			// two seconds) and, where requests fail rather than hang, until the replica noticed.
			await().atMost(PATIENCE)
				.until(() -> writer.committed() >= atOutage + 600
						&& (!store().interruptionFailsRequests() || this.replica.status().failingSince() != null));
			during = this.replica.status();
			if (store().interruptionFailsRequests()) {
				await().atMost(PATIENCE).until(() -> health.health().getStatus().equals(Status.DOWN));
			}
			assertThat(writer.isHealthy()).isTrue();
		}
		finally {
			store().resume();
		}
		long atResume = writer.committed();
		await().atMost(PATIENCE).until(() -> writer.committed() >= atResume + 200);
		long lastCommitted = writer.stop();
		await().atMost(PATIENCE).until(() -> replicaCaughtUp() && this.replica.status().failingSince() == null);
		assertThat(health.health().getStatus()).isEqualTo(Status.UP);

		if (store().interruptionFailsRequests()) {
			assertThat(during.failingSince()).isNotNull();
			assertThat(during.lastError()).contains("s3://" + this.bucket + "/" + PATH);
			ReplicaStatus after = this.replica.status();
			assertThat(after.failingSince()).isNull();
			assertThat(after.lastSyncAt()).isAfter(during.lastErrorAt());
		}
		stopAndRestoreEverything(lastCommitted);
	}

	/**
	 * The request-economy rule under a steady write load. Every sync ships everything pending
	 * in one segment per WAL index it spans, so each sync costs one PUT plus one for every WAL
	 * index change (checkpoint) it crosses; a snapshot costs at least one PUT more. Syncs run
	 * at most once per sync interval, and one may be in flight when counting starts, so over a
	 * window of length T: PUTs <= (T / sync-interval + 2) + index changes + snapshot PUTs. The
	 * database is copied every 10 ms, twenty times per sync interval, so an engine that
	 * uploaded on every copy would break the bound many times over. Nothing needs a LIST, GET
	 * or DELETE while the replica keeps up (retention is checked hourly).
	 */
	@Test
	void underSteadyWritesAtMostOnePutPerSyncIntervalPlusIndexChanges() throws Exception {
		Duration syncInterval = Duration.ofMillis(200);
		AtomicInteger snapshots = new AtomicInteger();
		startEngine(DatabaseOptions.defaults(this.dbPath).withMonitorInterval(Duration.ofMillis(10)),
				economical(syncInterval), snapshots);
		BackgroundWriter writer = closeAfterTest(new BackgroundWriter(this.app, Duration.ofMillis(3)));
		await().atMost(PATIENCE).until(() -> this.replica.position().isPresent() && writer.committed() >= 50);

		long indexBefore = this.replica.position().orElseThrow().index();
		long started = System.nanoTime();
		this.operations.reset();
		int snapshotsBefore = snapshots.get();
		Duration window = syncInterval.multipliedBy(10);
		await().during(window).atMost(window.plus(PATIENCE)).until(writer::isHealthy);
		long puts = this.operations.count(ReplicaOperation.PUT);
		long others = this.operations.total() - puts;
		long elapsed = System.nanoTime() - started;
		long indexChanges = this.database.position().orElseThrow().index() - indexBefore;
		int snapshotsTaken = snapshots.get() - snapshotsBefore;
		long syncs = elapsed / syncInterval.toNanos() + 2;

		assertThat(puts).as("PUTs made while the application kept writing").isGreaterThanOrEqualTo(3);
		assertThat(puts).as("PUTs in %d ms with %d sync interval(s) of %s, %d index change(s), %d snapshot(s)",
				elapsed / 1_000_000, syncs, syncInterval, indexChanges, snapshotsTaken)
			.isLessThanOrEqualTo(syncs + indexChanges + snapshotsTaken);
		assertThat(others).as("LIST, GET and DELETE requests while keeping up").isZero();
		stopAndRestoreEverything(writer.stop());
	}

	@Test
	void idleDatabaseMakesNoRequests() throws Exception {
		Duration syncInterval = Duration.ofMillis(100);
		startEngine(DatabaseOptions.defaults(this.dbPath).withMonitorInterval(Duration.ofMillis(10)),
				economical(syncInterval), new AtomicInteger());
		BackgroundWriter writer = closeAfterTest(new BackgroundWriter(this.app, Duration.ofMillis(3)));
		await().atMost(PATIENCE).until(() -> this.replica.position().isPresent() && writer.committed() >= 100);
		long lastCommitted = writer.stop();
		await().atMost(PATIENCE).until(this::replicaCaughtUp);
		assertThat(this.operations.count(ReplicaOperation.PUT)).as("PUTs while writing").isPositive();

		this.operations.reset();
		Duration idle = syncInterval.multipliedBy(10);
		await().during(idle).atMost(idle.plus(PATIENCE)).until(() -> this.operations.total() == 0);

		assertThat(this.replica.status().failingSince()).isNull();
		stopAndRestoreEverything(lastCommitted);
	}

	@Test
	void missingBucketIsReportedAndReplicationRecoversOnceItExists() throws Exception {
		String missing = "later-" + this.bucket;
		this.client = client(credentials(configBuilder(missing, PATH)).build(), this.operations);
		startEngine(DatabaseOptions.defaults(this.dbPath).withMonitorInterval(Duration.ofMillis(20)),
				ReplicaOptions.defaults("s3").withSyncInterval(Duration.ofMillis(50)), new AtomicInteger());
		this.app.insert(20);
		await().atMost(PATIENCE).until(() -> this.replica.status().lastError() != null);

		ReplicaStatus failing = this.replica.status();
		assertThat(failing.failingSince()).isNotNull();
		assertThat(failing.position()).isNull();
		assertThat(failing.lastError()).contains("s3://" + missing + "/" + PATH)
			.contains("bucket '" + missing + "' does not exist")
			.contains("'url'")
			.doesNotContain(store().secretAccessKey());

		store().createBucket(missing);
		this.app.insert(5);
		await().atMost(PATIENCE).until(() -> replicaCaughtUp() && this.replica.status().failingSince() == null);

		this.bucket = missing;
		stopAndRestoreEverything(this.app.lastSeq());
	}

	/** Periodic snapshots off and retention checked hourly, so only WAL shipping makes requests. */
	private static ReplicaOptions economical(Duration syncInterval) {
		return ReplicaOptions.defaults("s3")
			.withSyncInterval(syncInterval)
			.withSnapshotInterval(Duration.ZERO)
			.withRetention(Duration.ofHours(24), Duration.ofHours(1));
	}

}

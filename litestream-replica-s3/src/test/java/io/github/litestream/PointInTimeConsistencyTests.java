package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.replica.s3.S3ClientFactory;
import io.github.litestream.replica.s3.S3Connection;
import io.github.litestream.replica.s3.S3ProxyServer;
import io.github.litestream.replica.s3.S3ReplicaClient;
import io.github.litestream.replica.s3.S3ReplicaConfig;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restores to many points in time of a run with snapshots and time-based checkpoints every
 * second, while transactions change random pages, from a file replica and from S3 (S3Proxy in
 * this JVM): each restore equals exactly one committed
 * state (the {@link ConsistencyOracle} decides), one that had begun by the timestamp, and later
 * timestamps never restore earlier states.
 *
 * <p>The writer runs at least {@link #MIN_WRITING} and then until the replica holds the history
 * the checks need (snapshots of several indexes, segments stored at several distinguishable
 * times), not for a fixed time: on a loaded machine fewer transactions, so fewer WAL indexes and
 * uploads, fit in one.
 */
class PointInTimeConsistencyTests {

	private static final int ROWS = 24;

	private static final Duration MIN_WRITING = Duration.ofSeconds(6);

	/** How long the writer may take to produce the history the checks need. */
	private static final Duration MAX_WRITING = Duration.ofSeconds(120);

	private static final Duration HISTORY_CHECK_INTERVAL = Duration.ofMillis(500);

	/**
	 * File times come from the kernel's coarse clock, which may lag the clock the writer reads
	 * by a scheduler tick: a segment can look up to this much older than it is.
	 */
	private static final long FILE_TIME_SLACK_MILLIS = 20;

	/** S3 object times may be whole seconds (S3Proxy's are): fewer points can be told apart. */
	private static final long S3_TIME_SLACK_MILLIS = 1000;

	@RegisterExtension
	static final S3ProxyServer s3 = new S3ProxyServer();

	@TempDir
	Path dir;

	@Test
	void fileReplica() throws Exception {
		everyPointInTimeRestoreEqualsOneCommittedStateNoLaterThanItsTimestamp(
				new FileReplicaClient(this.dir.resolve("replica")), FILE_TIME_SLACK_MILLIS, 6);
	}

	@Test
	void s3Replica() throws Exception {
		S3ReplicaConfig config = s3.config(s3.createBucket(), "app");
		// A connection as the starter makes: its SDK client is built when replication first writes.
		try (S3Connection connection = S3ClientFactory.withDefaults().connect(config)) {
			everyPointInTimeRestoreEqualsOneCommittedStateNoLaterThanItsTimestamp(
					new S3ReplicaClient(connection, config, ReplicaOperationListener.NONE), S3_TIME_SLACK_MILLIS, 3);
		}
	}

	private void everyPointInTimeRestoreEqualsOneCommittedStateNoLaterThanItsTimestamp(ReplicaClient client,
			long timeSlackMillis, int distinctStates) throws Exception {
		Path db = this.dir.resolve("app.db");
		ConsistencyOracle oracle = new ConsistencyOracle(ROWS);
		Instant flushed;
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db)) {
			PageWriter.createTable(connection, ROWS);
			Litestream litestream = new Litestream();
			ReplicatedDatabase database = litestream.addDatabase(
					DatabaseOptions.defaults(db)
						.withMonitorInterval(Duration.ofMillis(50))
						.withCheckpoints(Duration.ofSeconds(1), 1000, 10000),
					List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file")
						.withSyncInterval(Duration.ofMillis(100))
						.withSnapshotInterval(Duration.ofSeconds(1)))));
			litestream.start();
			try (PageWriter writer = new PageWriter(connection, ROWS, 11)) {
				Instant started = Instant.now();
				Instant nextCheck = started.plus(MIN_WRITING);
				for (long k = 1;; k++) {
					long began = System.currentTimeMillis();
					oracle.committed(began, writer.commit(k));
					LockSupport.parkNanos(5_000_000);
					Instant now = Instant.now();
					if (now.isAfter(nextCheck)) {
						if (holdsEnoughHistory(client, timeSlackMillis, distinctStates)) {
							break;
						}
						assertThat(Duration.between(started, now)).as(
								"writing until the replica holds snapshots of 2 indexes and segments stored at %d "
										+ "distinguishable times", distinctStates)
							.isLessThan(MAX_WRITING);
						nextCheck = now.plus(HISTORY_CHECK_INTERVAL);
					}
				}
			}
			finally {
				assertThat(litestream.stop(Duration.ofSeconds(10))).as("the final flush shipped everything").isTrue();
				litestream.close();
			}
			// Every object is stored by now: a restore to any later time gives the last commit.
			flushed = Instant.now();
			assertThat(database.position()).isPresent();
		}

		String generation = client.generations().get(0);
		List<SnapshotInfo> snapshots = client.snapshots(generation);
		// A snapshot replaces the one of the same index: one per index remains.
		assertThat(snapshots).as("snapshots of several indexes").hasSizeGreaterThanOrEqualTo(2);
		TreeSet<Instant> timestamps = new TreeSet<>();
		Instant first = snapshots.stream().map(SnapshotInfo::createdAt).min(Instant::compareTo).orElseThrow();
		Instant last = flushed.plusMillis(timeSlackMillis);
		snapshots.forEach((snapshot) -> timestamps.add(snapshot.createdAt()));
		long spanMillis = Duration.between(first, last).toMillis();
		for (int i = 0; i <= 10; i++) {
			timestamps.add(first.plusMillis(spanMillis * i / 10));
		}
		// The evenly spaced times can all fall between the same two uploads when they bunch up
		// (a loaded machine); the segments' own times are each just after a different one.
		List<Instant> uploads = distinctTimes(client.walSegments(generation), first, timeSlackMillis);
		for (int i = 0; i < 10; i++) {
			timestamps.add(uploads.get(i * uploads.size() / 10));
		}

		int previous = -1;
		TreeSet<Integer> states = new TreeSet<>();
		for (Instant timestamp : timestamps) {
			Path restored = this.dir.resolve("at-" + timestamp.toEpochMilli() + "-" + timestamp.getNano() + ".db");
			new Restorer().restore(client, RestoreOptions.latest(restored).withTimestamp(timestamp));
			ConsistencyOracle.Match match = oracle.check(restored);
			int k = match.state();
			assertThat(match.unlogged()).isFalse();
			if (k > 0) {
				assertThat(oracle.beganAtMillis(k)).as("restore to %s gives state %d, which began at %s", timestamp, k,
						Instant.ofEpochMilli(oracle.beganAtMillis(k)))
					.isLessThanOrEqualTo(timestamp.toEpochMilli() + timeSlackMillis);
			}
			assertThat(k).as("restore to %s after the one before it", timestamp).isGreaterThanOrEqualTo(previous);
			previous = k;
			states.add(k);
		}
		assertThat(previous).as("the last timestamp is after the last commit").isEqualTo(oracle.lastLogged());
		assertThat(states).as("the timestamps pick out different states").hasSizeGreaterThanOrEqualTo(distinctStates);
		System.out.printf("PointInTimeConsistencyTests (%s): %d transactions, %d snapshots, %d restores gave states %s%n",
				client.type(), oracle.lastLogged(), snapshots.size(), timestamps.size(), states);
	}

	/**
	 * Whether the replica's one generation holds snapshots of at least two indexes (a snapshot
	 * replaces the one of its index) and segments stored at enough distinguishable times.
	 */
	private static boolean holdsEnoughHistory(ReplicaClient client, long timeSlackMillis, int distinctStates)
			throws IOException {
		List<String> generations = client.generations();
		if (generations.size() != 1) {
			return false;
		}
		String generation = generations.get(0);
		List<SnapshotInfo> snapshots = client.snapshots(generation);
		if (snapshots.size() < 2) {
			return false;
		}
		Instant first = snapshots.stream().map(SnapshotInfo::createdAt).min(Instant::compareTo).orElseThrow();
		return distinctTimes(client.walSegments(generation), first, timeSlackMillis).size() > distinctStates;
	}

	/**
	 * The latest storage time of the segments stored within each {@code slackMillis} (the
	 * precision of the store's times) from {@code from} on (a restore needs a snapshot), in order.
	 */
	private static List<Instant> distinctTimes(List<WalSegmentInfo> segments, Instant from, long slackMillis) {
		TreeMap<Long, Instant> latest = new TreeMap<>();
		for (WalSegmentInfo segment : segments) {
			if (!segment.createdAt().isBefore(from)) {
				latest.merge(segment.createdAt().toEpochMilli() / slackMillis, segment.createdAt(),
						(a, b) -> a.isAfter(b) ? a : b);
			}
		}
		return List.copyOf(latest.values());
	}

}

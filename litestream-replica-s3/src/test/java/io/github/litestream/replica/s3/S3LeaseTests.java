package io.github.litestream.replica.s3;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.github.litestream.AppDatabase;
import io.github.litestream.ConsistencyOracle;
import io.github.litestream.KilledWriter;
import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalWriteConflictException;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The lease on an S3Proxy replica with real engines: a replicating child JVM is SIGKILLed and
 * the next engine takes the replica only once its lease lapsed, after which the replica still
 * restores to one committed state; a lease replaced behind the primary's back fences it, and
 * no object is written to the bucket afterwards.
 */
class S3LeaseTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	@TempDir
	Path dir;

	@Test
	void afterSigkillTheNextEngineWaitsForTheLeaseAndTheReplicaRestoresToOneCommittedState() throws Exception {
		String bucket = server.createBucket();
		Path child = Files.createDirectories(this.dir.resolve("child"));
		KilledWriter.run(S3ConsistentWriter.class, child, "s3://" + bucket + "/app", server.endpoint().toString(),
				Map.of("LITESTREAM_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY_ID, "LITESTREAM_SECRET_ACCESS_KEY",
						S3ProxyServer.SECRET_ACCESS_KEY, "LITESTREAM_TEST_LEASE_TTL_MS", "2000"),
				true, new SplittableRandom(11));
		try (S3Client s3 = S3ClientFactory.withDefaults().create(server.config(bucket, "app"));
				AppDatabase app = new AppDatabase(this.dir.resolve("next.db"));
				Litestream next = new Litestream()) {
			S3ReplicaClient client = new S3ReplicaClient(s3, server.config(bucket, "app"), ReplicaOperationListener.NONE);
			Path restored = this.dir.resolve("restored.db");
			new Restorer().restore(client, RestoreOptions.latest(restored));
			ConsistencyOracle.Match match = ConsistencyOracle.read(child.resolve("history.log")).check(restored);
			assertThat(match.state()).isPositive();
			LeaseRecord killed = lease(client);
			app.insert(10);
			next.addDatabase(DatabaseOptions.defaults(this.dir.resolve("next.db")), new LeaseOptions(true, Duration.ofSeconds(1)),
					List.of(new ReplicationTarget(client, ReplicaOptions.defaults("s3"))));
			long started = System.nanoTime();
			next.start();
			assertThat(Duration.ofNanos(System.nanoTime() - started)).as("waited for the killed writer's ttl")
				.isGreaterThanOrEqualTo(Duration.ofSeconds(2));
			assertThat(lease(client).epoch()).isEqualTo(killed.epoch() + 1);
			assertThat(lease(client).holder()).isEqualTo(next.leaseHolder());
		}
	}

	@Test
	void stolenLeaseFencesThePrimaryAndNothingMoreReachesTheBucket() throws Exception {
		String bucket = server.createBucket();
		try (S3Client s3 = S3ClientFactory.withDefaults().create(server.config(bucket, "app"));
				AppDatabase app = new AppDatabase(this.dir.resolve("primary.db"));
				Litestream primary = new Litestream()) {
			S3ReplicaClient client = new S3ReplicaClient(s3, server.config(bucket, "app"), ReplicaOperationListener.NONE);
			ReplicatedDatabase database = primary.addDatabase(
					DatabaseOptions.defaults(this.dir.resolve("primary.db")).withMonitorInterval(Duration.ofMillis(50)),
					new LeaseOptions(true, Duration.ofSeconds(1)), List.of(new ReplicationTarget(client,
							ReplicaOptions.defaults("s3").withSyncInterval(Duration.ofMillis(100)))));
			Replica replica = primary.replicas(database).get(0);
			primary.start();
			app.insert(20);
			primary.commitPosition(database);
			primary.syncNow(replica).get();
			steal(client.conditionalObjects().orElseThrow());
			await().atMost(Duration.ofSeconds(30))
				.until(() -> primary.lease(replica).orElseThrow().role() == LeaseRole.FENCED);
			assertThat(primary.lease(replica).orElseThrow().lost()).isTrue();
			List<String> keys = generationKeys(s3, bucket);
			for (int i = 0; i < 10; i++) {
				app.insert(5);
				// Time for a sync to ship them if the fence let it: nothing may appear.
				Thread.sleep(150);
			}
			assertThat(generationKeys(s3, bucket)).as("nothing written after the fence").isEqualTo(keys);
			Path restored = this.dir.resolve("restored.db");
			new Restorer().restore(client, RestoreOptions.latest(restored));
			AppDatabase.Summary summary = AppDatabase.summarize(restored);
			assertThat(summary.isGapFreePrefix()).isTrue();
			assertThat(summary.count()).isEqualTo(20);
		}
	}

	/**
	 * Replaces the lease behind the primary's back. S3Proxy checks If-Match and then writes, not
	 * atomically, so a renewal racing the steal can overwrite it: steal until the thief's record
	 * is what the bucket holds.
	 */
	private static void steal(ConditionalObjects objects) throws Exception {
		for (int attempt = 0; attempt < 10; attempt++) {
			ConditionalObjects.VersionedObject current = objects.read(ReplicaLease.OBJECT).orElseThrow();
			Instant now = Instant.now();
			try {
				objects.replace(ReplicaLease.OBJECT, new LeaseRecord(new LeaseHolder("thief", "thief-host", 1), 50, now,
						now.plus(Duration.ofHours(1)), Duration.ofHours(1), false).toJson(), current.version());
			}
			catch (ConditionalWriteConflictException ex) {
				continue;
			}
			// S3Proxy checks If-Match and then writes, not atomically: a renewal racing the theft can
			// still overwrite it, so the theft counts only once it stayed a moment.
			Thread.sleep(50);
			if (LeaseRecord.parse(objects.read(ReplicaLease.OBJECT).orElseThrow().content()).holder().host()
				.equals("thief-host")) {
				return;
			}
		}
		throw new AssertionError("Could not replace the lease");
	}

	private static LeaseRecord lease(S3ReplicaClient client) throws Exception {
		return LeaseRecord.parse(client.conditionalObjects().orElseThrow().read(ReplicaLease.OBJECT).orElseThrow().content());
	}

	private static List<String> generationKeys(S3Client s3, String bucket) {
		return s3.listObjectsV2Paginator((request) -> request.bucket(bucket).prefix("app/generations/"))
			.contents()
			.stream()
			.map(S3Object::key)
			.sorted()
			.toList();
	}

}

package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.litestream.AppDatabase;
import io.github.litestream.DatabaseRegistry;
import io.github.litestream.EngineThreads;
import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalObjects.VersionedObject;
import io.github.litestream.replica.ForwardingConditionalObjects;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A standby entry whose file could be served at once, but whose lease could not be read at
 * start (the store answered nothing): it waits for the lease before it lets connections
 * through, since another instance may be the primary.
 */
class StandbyDatabaseLeaseTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(1));

	@TempDir
	Path dir;

	@Test
	void aLeaseThatCannotBeReadAtStartIsWaitedForBeforeServing() throws Exception {
		Path path = this.dir.resolve("app.db");
		AtomicBoolean storeDown = new AtomicBoolean(true);
		ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(this.dir.resolve("replica"))) {

			@Override
			public Optional<ConditionalObjects> conditionalObjects() {
				return super.conditionalObjects().map((store) -> new ForwardingConditionalObjects(store) {

					@Override
					public Optional<VersionedObject> read(String name) throws IOException {
						if (storeDown.get()) {
							throw new IOException("503 Service Unavailable (test)");
						}
						return super.read(name);
					}

				});
			}

		};
		LeaseHolder holder = LeaseHolder.newInstance();
		AtomicBoolean promoted = new AtomicBoolean();
		try (AppDatabase app = new AppDatabase(path);
				Litestream engine = new Litestream(Clock.systemUTC(), null, EngineThreads.defaults(), holder)) {
			app.insert(3);
			engine.start();
			StandbyDatabase standby = new StandbyDatabase("litestream.dbs[0]", path, Clock.systemUTC());
			try {
				standby.start(new DatabaseRegistry(engine), holder, DatabaseOptions.defaults(path), LEASE,
						List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file"))),
						() -> promoted.set(true));
				await().during(LEASE.ttl().multipliedBy(2))
					.atMost(LEASE.ttl().multipliedBy(4))
					.until(() -> !promoted.get() && standby.gate().state() == StandbyGate.State.WAITING);
				storeDown.set(false);
				await().atMost(Duration.ofSeconds(30)).untilTrue(promoted);
				assertThat(standby.gate().state()).isEqualTo(StandbyGate.State.OPEN);
				assertThat(standby.isPrimary()).isTrue();
			}
			finally {
				standby.close();
			}
		}
	}

}

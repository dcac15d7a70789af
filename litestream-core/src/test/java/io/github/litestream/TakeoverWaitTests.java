package io.github.litestream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ForwardingConditionalObjects;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lease taken from a holder that did not release it is written to only after that holder's
 * safety margin, for a write of its that may still land. An engine that takes a lease handed on
 * within its instance does not wait again, so whoever hands it on waits first: a standby before
 * its promotion, and the leases taken ahead of a restore-on-boot before they are handed over.
 * Real file replicas; the lease left by a holder that crashed long ago (by the wall clocks,
 * which may disagree by more than a ttl) is taken at once, so only the margin lies between.
 */
class TakeoverWaitTests {

	/** The crashed holder's ttl: its safety margin, a fifth, is what the taker waits. */
	private static final Duration THEIR_TTL = Duration.ofSeconds(3);

	private static final Duration THEIR_MARGIN = THEIR_TTL.dividedBy(5);

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(1));

	private final LeaseHolder self = LeaseHolder.newInstance();

	/** When this instance's write that took the lease returned. */
	private final AtomicLong takenAt = new AtomicLong();

	@TempDir
	Path dir;

	private Path replicaRoot;

	@BeforeEach
	void leaseOfAHolderThatCrashed() throws IOException {
		this.replicaRoot = this.dir.resolve("replica");
		Instant longAgo = Instant.now().minus(Duration.ofHours(1));
		new FileReplicaClient(this.replicaRoot).conditionalObjects()
			.orElseThrow()
			.create(ReplicaLease.OBJECT, new LeaseRecord(new LeaseHolder("crashed", "old-host", 1), 7, longAgo,
					longAgo.plus(THEIR_TTL), THEIR_TTL, false)
				.toJson());
	}

	@Test
	void aStandbyPromotesOnlyOnceTheOldHoldersMarginPassed() throws Exception {
		AtomicLong promotedAt = new AtomicLong();
		try (Standby standby = new Standby("r0", client(), this.dir.resolve("standby.db"), LEASE, this.self,
				ReplicaFollowerTests.FAST, Duration.ofMillis(50), Clock.systemUTC())) {
			standby.start((position) -> promotedAt.set(System.nanoTime()));
			assertThat(standby.awaitPrimary(Duration.ofSeconds(30))).as("promoted: %s", standby.status()).isTrue();
		}
		assertThat(this.takenAt).doesNotHaveValue(0);
		assertThat(Duration.ofNanos(promotedAt.get() - this.takenAt.get())).isGreaterThanOrEqualTo(THEIR_MARGIN);
	}

	@Test
	void leasesTakenAheadOfARestoreAreHandedOverOnlyOnceTheOldHoldersMarginPassed() throws Exception {
		try (AdvanceLeases leases = new AdvanceLeases(this.self, Clock.systemUTC())) {
			leases.take(List.of(new ReplicationTarget(client(), ReplicaOptions.defaults("r0"))), LEASE);
			leases.handOver();
			long handedOverAt = System.nanoTime();
			assertThat(this.takenAt).doesNotHaveValue(0);
			assertThat(Duration.ofNanos(handedOverAt - this.takenAt.get())).isGreaterThanOrEqualTo(THEIR_MARGIN);
		}
	}

	/** The replica, noting when this instance's first write of the lease returned. */
	private ReplicaClient client() {
		return new ForwardingReplicaClient(new FileReplicaClient(this.replicaRoot)) {
			@Override
			public Optional<ConditionalObjects> conditionalObjects() {
				return super.conditionalObjects().map((store) -> new ForwardingConditionalObjects(store) {
					@Override
					public String replace(String name, byte[] content, String version) throws IOException {
						String written = super.replace(name, content, version);
						if (name.equals(ReplicaLease.OBJECT)
								&& new String(content, StandardCharsets.UTF_8).contains(TakeoverWaitTests.this.self.instance())) {
							TakeoverWaitTests.this.takenAt.compareAndSet(0, System.nanoTime());
						}
						return written;
					}
				});
			}
		};
	}

}

package io.github.litestream;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.LeaseRole;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalWriteConflictException;
import io.github.litestream.replica.ForwardingConditionalObjects;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The renewals a standby and the leases of a restore-on-boot share, on a real file replica: a
 * lease that another instance takes is reported once; a standby's is then no longer renewed,
 * and the restore's, still renewed, is never taken back (that instance may have written); and
 * nothing renews a lease once the renewals stopped.
 */
class LeaseRenewalsTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofMillis(600));

	@TempDir
	Path dir;

	private ConditionalObjects objects;

	/** This instance's reads and writes of the store: renewals, and attempts to take the lease back. */
	private final AtomicInteger calls = new AtomicInteger();

	private final List<LeaseStatus> reported = new CopyOnWriteArrayList<>();

	@BeforeEach
	void replica() {
		this.objects = new FileReplicaClient(this.dir.resolve("replica")).conditionalObjects().orElseThrow();
	}

	@Test
	void aLeaseAnotherInstanceTookIsReportedOnceAndNoLongerRenewedWhenSoAsked() throws Exception {
		ReplicaLease lease = taken();
		LeaseRenewals renewals = new LeaseRenewals("test-renewals", true, (l, status) -> this.reported.add(status));
		int callsWhenTaken = this.calls.get();
		renewals.renew("r", lease);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.calls.get() > callsWhenTaken);
		takeOver(Duration.ofHours(1));
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.reported.isEmpty());
		int callsWhenLost = this.calls.get();
		await().during(LEASE.ttl().multipliedBy(2))
			.atMost(LEASE.ttl().multipliedBy(4))
			.until(() -> this.calls.get() == callsWhenLost && this.reported.size() == 1);
		assertThat(this.reported.get(0).lost()).isTrue();
		assertThat(this.reported.get(0).fencedReason()).contains("other-host");
		renewals.stop();
	}

	@Test
	void aLeaseStillRenewedAfterItWasLostIsNotTakenBackOnceTheOtherStopsAndIsReportedOnce() throws Exception {
		ReplicaLease lease = taken();
		LeaseRenewals renewals = new LeaseRenewals("test-renewals", false, (l, status) -> this.reported.add(status));
		renewals.renew("r", lease);
		// The other instance holds it for a ttl of its own, then stops renewing (a crash): it may
		// have written to the replica, so the lease is not taken back.
		takeOver(LEASE.ttl());
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.reported.isEmpty());
		int callsWhenLost = this.calls.get();
		await().during(LEASE.ttl().multipliedBy(3))
			.atMost(LEASE.ttl().multipliedBy(5))
			.until(() -> lease.status().role() == LeaseRole.FENCED && lease.status().lost());
		assertThat(this.reported).hasSize(1);
		assertThat(this.calls.get()).as("a deposed lease touches the store no more").isEqualTo(callsWhenLost);
		assertThat(stored().holder().host()).isEqualTo("other-host");
		renewals.stop();
	}

	private ReplicaLease taken() throws IOException {
		ConditionalObjects counted = new ForwardingConditionalObjects(this.objects) {
			@Override
			public Optional<VersionedObject> read(String name) throws IOException {
				LeaseRenewalsTests.this.calls.incrementAndGet();
				return super.read(name);
			}

			@Override
			public String replace(String name, byte[] content, String version) throws IOException {
				LeaseRenewalsTests.this.calls.incrementAndGet();
				return super.replace(name, content, version);
			}
		};
		ReplicaLease lease = new ReplicaLease("r", "replica", counted, LEASE, LeaseHolder.newInstance(),
				Clock.systemUTC());
		lease.acquire();
		return lease;
	}

	/** Another instance takes the lease, as it would: again if a renewal got in between. */
	private void takeOver(Duration ttl) throws IOException {
		while (true) {
			ConditionalObjects.VersionedObject current = this.objects.read(ReplicaLease.OBJECT).orElseThrow();
			Instant now = Instant.now();
			try {
				this.objects.replace(ReplicaLease.OBJECT, new LeaseRecord(new LeaseHolder("other", "other-host", 7), 20,
						now, now.plus(ttl), ttl, false).toJson(), current.version());
				return;
			}
			catch (ConditionalWriteConflictException ex) {
				// A renewal replaced it between the read and the write.
			}
		}
	}

	private LeaseRecord stored() throws IOException {
		return LeaseRecord.parse(this.objects.read(ReplicaLease.OBJECT).orElseThrow().content());
	}

}

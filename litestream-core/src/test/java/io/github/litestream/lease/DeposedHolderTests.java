package io.github.litestream.lease;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ForwardingConditionalObjects;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A primary whose lease another instance took, on a real file replica with a monotonic clock
 * the test moves: it is fenced, knows the lease is lost, says who holds it now (for the health
 * and the log), and its replica client writes nothing more, whether the other took the lease
 * behind its back or while this one could not reach the store.
 */
class DeposedHolderTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofSeconds(10));

	private static final LeaseHolder OTHER = new LeaseHolder("other-instance", "other-host", 4242);

	@TempDir
	Path temp;

	private final AtomicLong nanos = new AtomicLong();

	private final AtomicBoolean unreachable = new AtomicBoolean();

	private FileReplicaClient client;

	private ConditionalObjects objects;

	@BeforeEach
	void replica() {
		this.client = new FileReplicaClient(this.temp.resolve("replica"));
		this.objects = this.client.conditionalObjects().orElseThrow();
	}

	@Test
	void aLeaseReplacedBehindItsBackNamesTheNewHolderAndNothingMoreIsWritten() throws IOException {
		ReplicaLease lease = lease();
		lease.acquire();
		FencedReplicaClient fenced = new FencedReplicaClient(this.client, lease);
		fenced.writeWalSegment(new Pos("0123456789abcdef", 0, 0), new ByteArrayInputStream(new byte[] { 1 }));
		takeOver(LEASE.ttl());

		assertThat(lease.renew()).isEqualTo(LeaseRole.FENCED);

		LeaseStatus status = lease.status();
		assertThat(status.lost()).isTrue();
		assertThat(status.record().holder()).isEqualTo(OTHER);
		assertThat(status.fencedReason()).contains("another instance replaced the lease")
			.contains("other-instance")
			.contains("other-host")
			.contains("epoch 50");
		assertThatExceptionOfType(LeaseFencedException.class)
			.isThrownBy(() -> fenced.writeWalSegment(new Pos("0123456789abcdef", 0, 1),
					new ByteArrayInputStream(new byte[] { 2 })))
			.withMessageContaining("other-host");
		// The other renews: this one stays deposed, however often it looks.
		for (int i = 0; i < 5; i++) {
			takeOver(LEASE.ttl());
			this.nanos.addAndGet(LEASE.renewInterval().toNanos());
			assertThat(lease.renew()).isEqualTo(LeaseRole.FENCED);
			assertThat(lease.status().lost()).isTrue();
		}
		assertThat(this.client.walSegments("0123456789abcdef")).as("only the write made while it held the lease")
			.hasSize(1);
	}

	@Test
	void aLeaseTakenWhileTheStoreWasUnreachableIsLostToTheNewHolderOnceItAnswers() throws IOException {
		ReplicaLease lease = lease();
		lease.acquire();
		this.unreachable.set(true);
		assertThat(lease.renew()).isEqualTo(LeaseRole.FENCED);
		assertThat(lease.status().lost()).as("nobody is known to hold it yet").isFalse();
		takeOver(LEASE.ttl());
		this.unreachable.set(false);

		assertThat(lease.renew()).as("the other may be alive: watched, not taken").isEqualTo(LeaseRole.FENCED);

		LeaseStatus status = lease.status();
		assertThat(status.lost()).isTrue();
		assertThat(status.record().holder()).isEqualTo(OTHER);
		assertThat(status.fencedReason()).contains("another instance took the lease")
			.contains("other-host")
			.contains("could not be renewed");
	}

	/** Another instance writes its lease over whatever the store holds (taken, or renewed). */
	private void takeOver(Duration ttl) throws IOException {
		ConditionalObjects.VersionedObject current = this.objects.read(ReplicaLease.OBJECT).orElseThrow();
		Instant now = Instant.now();
		this.objects.replace(ReplicaLease.OBJECT, new LeaseRecord(OTHER, 50, now, now.plus(ttl), ttl, false).toJson(),
				current.version());
	}

	private ReplicaLease lease() {
		ConditionalObjects store = new ForwardingConditionalObjects(this.objects) {
			@Override
			public Optional<VersionedObject> read(String name) throws IOException {
				check();
				return super.read(name);
			}

			@Override
			public String replace(String name, byte[] content, String version) throws IOException {
				check();
				return super.replace(name, content, version);
			}

			private void check() throws IOException {
				if (DeposedHolderTests.this.unreachable.get()) {
					throw new IOException("store unreachable");
				}
			}
		};
		return new ReplicaLease("file", this.client.location(), store, LEASE, LeaseHolder.newInstance(),
				Clock.systemUTC(), this.nanos::get);
	}

}

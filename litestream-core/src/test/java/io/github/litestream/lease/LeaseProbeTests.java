package io.github.litestream.lease;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ForwardingConditionalObjects;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * When a lease probes the store's conditional writes: before its first write, unless it takes
 * over a live lease of its own instance, whose record that store holds only because it passed
 * this instance's probe. Each test reaches one real file store through a front that ignores
 * {@code If-Match}, as some S3-compatible stores do: a lease that probes is refused.
 */
class LeaseProbeTests {

	private static final LeaseOptions LEASE = new LeaseOptions(true, Duration.ofMinutes(10));

	@TempDir
	Path temp;

	private ConditionalObjects objects;

	@BeforeEach
	void replica() {
		this.objects = new FileReplicaClient(this.temp.resolve("replica")).conditionalObjects().orElseThrow();
	}

	@Test
	void aLeaseHandedOverWithinTheInstanceIsTakenOverWithoutAProbe() throws IOException {
		LeaseHolder holder = LeaseHolder.newInstance();
		lease(this.objects, holder).acquire();
		ReplicaLease engine = lease(new IfMatchIgnoringObjects(this.objects), holder);
		assertThat(engine.tryAcquire()).isEqualTo(LeaseAttempt.ACQUIRED);
		assertThat(engine.allowsWrites()).isTrue();
	}

	@Test
	void aHandedOverLeaseIsStillTakenOverWithItsConditionalWrite() throws IOException {
		LeaseHolder holder = LeaseHolder.newInstance();
		lease(this.objects, holder).acquire();
		// Another instance takes the lease between the engine's read and its write.
		ReplicaLease engine = lease(new StolenBeforeReplace(this.objects), holder);
		assertThat(engine.tryAcquire()).isEqualTo(LeaseAttempt.WAITING);
		assertThat(engine.allowsWrites()).isFalse();
		assertThat(LeaseRecord.parse(this.objects.read(ReplicaLease.OBJECT).orElseThrow().content()).holder().host())
			.isEqualTo("thief-host");
	}

	@Test
	void aReleasedLeaseOfTheInstanceIsProbedAgain() throws IOException {
		LeaseHolder holder = LeaseHolder.newInstance();
		ReplicaLease first = lease(this.objects, holder);
		first.acquire();
		first.release();
		ReplicaLease next = lease(new IfMatchIgnoringObjects(this.objects), holder);
		assertThatExceptionOfType(LeaseUnsupportedException.class).isThrownBy(next::tryAcquire)
			.withMessageContaining("ignores If-Match");
	}

	@Test
	void anotherInstancesLeaseIsProbedAgain() throws IOException {
		ReplicaLease other = lease(this.objects, LeaseHolder.newInstance());
		other.acquire();
		other.release();
		// The probe object exists: its version is the one read, the create is refused, then the replaces.
		ReplicaLease next = lease(new IfMatchIgnoringObjects(this.objects), LeaseHolder.newInstance());
		assertThatExceptionOfType(LeaseUnsupportedException.class).isThrownBy(next::tryAcquire)
			.withMessageContaining("ignores If-Match");
	}

	private ReplicaLease lease(ConditionalObjects store, LeaseHolder holder) {
		return new ReplicaLease("file", this.temp.resolve("replica").toString(), store, LEASE, holder,
				Clock.systemUTC());
	}

	/** A real store behind a front that honours If-None-Match but replaces whatever the version. */
	private static final class IfMatchIgnoringObjects extends ForwardingConditionalObjects {

		IfMatchIgnoringObjects(ConditionalObjects store) {
			super(store);
		}

		@Override
		public String replace(String name, byte[] content, String version) throws IOException {
			return super.replace(name, content, store().read(name).orElseThrow().version());
		}

	}

	/** A real store where another instance takes the lease right before the first replace of it. */
	private static final class StolenBeforeReplace extends ForwardingConditionalObjects {

		private final AtomicBoolean stolen = new AtomicBoolean();

		StolenBeforeReplace(ConditionalObjects store) {
			super(store);
		}

		@Override
		public String replace(String name, byte[] content, String version) throws IOException {
			if (name.equals(ReplicaLease.OBJECT) && this.stolen.compareAndSet(false, true)) {
				Instant now = Instant.now();
				LeaseRecord thief = new LeaseRecord(new LeaseHolder("thief", "thief-host", 4242), 100, now,
						now.plus(LEASE.ttl()), LEASE.ttl(), false);
				super.replace(name, thief.toJson(), version);
			}
			return super.replace(name, content, version);
		}

	}

}

package io.github.litestream.lease;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalWriteConflictException;
import io.github.litestream.replica.ForwardingConditionalObjects;
import io.github.litestream.replica.UnreachableConditionalObjects;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link ReplicaLease} on a real file replica: taking, refusing, taking over after a release or
 * after the holder stopped renewing, fencing when the lease is replaced behind the holder's
 * back or cannot be renewed, and stores that cannot keep a lease.
 */
class ReplicaLeaseTests {

	private static final LeaseOptions SHORT = new LeaseOptions(true, Duration.ofMillis(600));

	@TempDir
	Path temp;

	private ConditionalObjects objects;

	private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor();

	@BeforeEach
	void replica() {
		this.objects = new FileReplicaClient(this.temp.resolve("replica")).conditionalObjects().orElseThrow();
	}

	@AfterEach
	void stopRenewing() {
		this.renewer.shutdownNow();
	}

	@Test
	void firstInstanceTakesAnEmptyReplicaWithEpochOne() throws IOException {
		ReplicaLease lease = lease(this.objects, SHORT);
		lease.acquire();
		assertThat(lease.status().role()).isEqualTo(LeaseRole.PRIMARY);
		LeaseRecord stored = stored();
		assertThat(stored.epoch()).isEqualTo(1);
		assertThat(stored.holder()).isEqualTo(lease.status().self());
		assertThat(stored.ttl()).isEqualTo(SHORT.ttl());
		assertThat(stored.released()).isFalse();
		assertThat(lease.allowsWrites()).isTrue();
		assertThat(lease.lastAcquisitionFollowedAnother()).isFalse();
	}

	@Test
	void secondInstanceIsRefusedWhileTheFirstRenews() throws IOException {
		ReplicaLease first = lease(this.objects, SHORT);
		first.acquire();
		renewEvery(first, SHORT.renewInterval());
		ReplicaLease second = lease(this.objects, SHORT);
		assertThatExceptionOfType(LeaseHeldException.class).isThrownBy(second::acquire)
			.satisfies((ex) -> assertThat(ex.holder().holder()).isEqualTo(first.status().self()))
			.withMessageContaining("Replica 'file'")
			.withMessageContaining(first.status().self().host());
		assertThat(second.status().role()).isEqualTo(LeaseRole.NONE);
		assertThat(first.status().role()).isEqualTo(LeaseRole.PRIMARY);
	}

	@Test
	void releasedLeaseIsTakenAtOnceAndKeepsGrowingItsEpoch() throws IOException {
		LeaseOptions longTtl = new LeaseOptions(true, Duration.ofMinutes(5));
		ReplicaLease first = lease(this.objects, longTtl);
		first.acquire();
		first.release();
		assertThat(stored().released()).isTrue();
		assertThat(stored().epoch()).isEqualTo(1);
		assertThat(first.allowsWrites()).isFalse();
		ReplicaLease second = lease(this.objects, longTtl);
		assertThat(second.tryAcquire()).isEqualTo(LeaseAttempt.ACQUIRED);
		assertThat(stored().epoch()).isEqualTo(2);
		assertThat(stored().holder()).isEqualTo(second.status().self());
	}

	@Test
	void leaseOfAHolderThatStoppedRenewingIsTakenAfterItsTtl() throws IOException {
		ReplicaLease dead = lease(this.objects, SHORT);
		dead.acquire();
		long started = System.nanoTime();
		ReplicaLease next = lease(this.objects, SHORT);
		next.acquire();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(SHORT.ttl());
		assertThat(stored().epoch()).isEqualTo(2);
		assertThat(next.lastAcquisitionFollowedAnother()).isTrue();
		// The old holder's renewal now loses: it is fenced and writes nothing.
		assertThat(dead.renew()).isEqualTo(LeaseRole.FENCED);
		assertThatExceptionOfType(LeaseFencedException.class).isThrownBy(dead::checkWritable)
			.withMessageContaining("another instance replaced the lease");
	}

	@Test
	void leaseExpiredLongAgoIsTakenWithoutWaiting() throws IOException {
		LeaseHolder gone = new LeaseHolder("gone", "old-host", 1);
		Instant longAgo = Instant.now().minus(Duration.ofHours(1));
		this.objects.create(ReplicaLease.OBJECT,
				new LeaseRecord(gone, 41, longAgo, longAgo.plusSeconds(10), Duration.ofSeconds(10), false).toJson());
		ReplicaLease lease = lease(this.objects, new LeaseOptions(true, Duration.ofMinutes(5)));
		assertThat(lease.tryAcquire()).isEqualTo(LeaseAttempt.ACQUIRED);
		assertThat(stored().epoch()).isEqualTo(42);
	}

	@Test
	void stolenLeaseFencesAtTheNextRenewalAndIsNeverTakenBackEvenOnceTheThiefReleasedIt() throws IOException {
		ReplicaLease primary = lease(this.objects, SHORT);
		primary.acquire();
		steal(Duration.ofMillis(900));
		assertThat(primary.renew()).isEqualTo(LeaseRole.FENCED);
		assertThat(primary.allowsWrites()).isFalse();
		LeaseStatus fenced = primary.status();
		assertThat(fenced.fenced()).isTrue();
		assertThat(fenced.lost()).as("another instance holds it").isTrue();
		assertThat(fenced.fencedReason()).contains("another instance replaced the lease");
		assertThat(fenced.record().holder().host()).isEqualTo("thief-host");
		// The thief may have written to the replica: this instance's database lacks that, so it
		// must not replicate again, not after the thief's ttl, not after its release.
		LeaseRecord thiefs = stored();
		long watching = System.nanoTime();
		while (System.nanoTime() - watching < SHORT.ttl().multipliedBy(3).toNanos()) {
			assertThat(primary.renew()).isEqualTo(LeaseRole.FENCED);
			sleep(50);
		}
		release(thiefs);
		assertThat(primary.renew()).isEqualTo(LeaseRole.FENCED);
		assertThat(stored().holder().host()).as("the released lease stays as the thief left it").isEqualTo("thief-host");
		assertThat(stored().released()).isTrue();
		assertThat(primary.status().lost()).isTrue();
		assertThat(primary.acquisitions()).isEqualTo(1);
	}

	@Test
	void aLeaseTakenWhileTheStoreWasUnreachableIsNotTakenBackOnceTheOtherReleasedIt() throws IOException {
		AtomicBoolean failing = new AtomicBoolean();
		ReplicaLease primary = lease(new UnreachableConditionalObjects(this.objects, failing), SHORT);
		primary.acquire();
		failing.set(true);
		assertThat(primary.renew()).isEqualTo(LeaseRole.FENCED);
		assertThat(primary.status().lost()).as("nobody is known to hold it yet").isFalse();
		// Meanwhile another instance takes it, writes, and stops cleanly.
		steal(Duration.ofMillis(900));
		release(stored());
		failing.set(false);

		assertThat(primary.renew()).isEqualTo(LeaseRole.FENCED);

		LeaseStatus status = primary.status();
		assertThat(status.lost()).as("deposed: the other instance may have written").isTrue();
		assertThat(status.fencedReason()).contains("another instance took the lease").contains("thief-host");
		assertThat(primary.renew()).isEqualTo(LeaseRole.FENCED);
		assertThat(stored().released()).as("left released for the next instance").isTrue();
		assertThat(primary.acquisitions()).isEqualTo(1);
	}

	@Test
	void failedRenewalFencesAndTheUntouchedLeaseIsTakenBackWithoutAnotherHolder() throws IOException {
		AtomicBoolean failing = new AtomicBoolean();
		ReplicaLease lease = lease(new UnreachableConditionalObjects(this.objects, failing), SHORT);
		lease.acquire();
		failing.set(true);
		assertThat(lease.renew()).isEqualTo(LeaseRole.FENCED);
		assertThat(lease.status().fencedReason()).contains("could not be renewed").contains("store unreachable");
		assertThat(lease.status().lost()).as("nobody is known to hold it").isFalse();
		assertThat(lease.renew()).isEqualTo(LeaseRole.FENCED);
		failing.set(false);
		assertThat(lease.renew()).isEqualTo(LeaseRole.PRIMARY);
		assertThat(lease.allowsWrites()).as("its own lease: nobody else's writes to wait for").isTrue();
		assertThat(stored().epoch()).isEqualTo(2);
		assertThat(lease.lastAcquisitionFollowedAnother()).isFalse();
		assertThat(lease.status().lost()).isFalse();
	}

	@Test
	void aRenewalWhoseAnswerWasLostAndWhoseRetryWasRefusedIsStillHeld() throws IOException {
		// The store applied the renewal, its answer timed out, and the client's retry with the
		// same version got a conflict: the lease holds our own record, nobody else's.
		AtomicBoolean retrying = new AtomicBoolean();
		ReplicaLease lease = lease(new RetriedObjects(this.objects, retrying), SHORT);
		lease.acquire();
		retrying.set(true);

		assertThat(lease.renew()).isEqualTo(LeaseRole.PRIMARY);

		assertThat(lease.status().lost()).isFalse();
		assertThat(lease.allowsWrites()).isTrue();
		retrying.set(false);
		assertThat(lease.renew()).as("the version it holds is the stored one").isEqualTo(LeaseRole.PRIMARY);
	}

	@Test
	void onlyTakingTheLeaseAgainCountsAsAnAcquisitionNotARenewalThatSucceededLate() throws IOException {
		AtomicBoolean failing = new AtomicBoolean();
		ReplicaLease lease = lease(new UnreachableConditionalObjects(this.objects, failing), SHORT);
		lease.acquire();
		assertThat(lease.acquisitions()).isEqualTo(1);
		// A renewal so late that the write window ended (the status shows FENCED) still renews.
		await().atMost(Duration.ofSeconds(10)).until(() -> lease.status().role() == LeaseRole.FENCED);
		assertThat(lease.renew()).isEqualTo(LeaseRole.PRIMARY);
		assertThat(lease.acquisitions()).as("renewed, not taken again").isEqualTo(1);
		failing.set(true);
		assertThat(lease.renew()).isEqualTo(LeaseRole.FENCED);
		failing.set(false);
		assertThat(lease.renew()).isEqualTo(LeaseRole.PRIMARY);
		assertThat(lease.acquisitions()).as("taken again after a failed renewal").isEqualTo(2);
	}

	@Test
	void aLeaseHandedOverWithinOneHolderKeepsItsEpoch() throws IOException {
		LeaseHolder holder = LeaseHolder.newInstance();
		ReplicaLease standby = lease(this.objects, SHORT, holder, Clock.systemUTC());
		standby.acquire();
		ReplicaLease engine = lease(this.objects, SHORT, holder, Clock.systemUTC());
		assertThat(engine.tryAcquire()).isEqualTo(LeaseAttempt.ACQUIRED);
		assertThat(stored().epoch()).isEqualTo(1);
		assertThat(stored().holder()).isEqualTo(holder);
		assertThat(engine.allowsWrites()).isTrue();
		assertThat(engine.lastAcquisitionFollowedAnother()).isFalse();
		// One object holds it: the one that handed it over loses at its next renewal.
		assertThat(standby.renew()).isEqualTo(LeaseRole.FENCED);
		assertThat(engine.renew()).isEqualTo(LeaseRole.PRIMARY);
		assertThat(stored().epoch()).isEqualTo(1);
	}

	@Test
	void aReleasedOrExpiredLeaseOfTheSameHolderIsANewHoldingWithTheNextEpoch() throws IOException {
		LeaseHolder holder = LeaseHolder.newInstance();
		ReplicaLease first = lease(this.objects, SHORT, holder, Clock.systemUTC());
		first.acquire();
		first.release();
		ReplicaLease afterRelease = lease(this.objects, SHORT, holder, Clock.systemUTC());
		assertThat(afterRelease.tryAcquire()).isEqualTo(LeaseAttempt.ACQUIRED);
		assertThat(stored().epoch()).isEqualTo(2);
		// Seen from one ttl later, the lease (never renewed) has expired.
		ReplicaLease afterExpiry = lease(this.objects, SHORT, holder, Clock.offset(Clock.systemUTC(), SHORT.ttl()));
		assertThat(afterExpiry.tryAcquire()).isEqualTo(LeaseAttempt.ACQUIRED);
		assertThat(stored().epoch()).isEqualTo(3);
		assertThat(afterRelease.renew()).isEqualTo(LeaseRole.FENCED);
	}

	@Test
	void aLeaseAnotherHolderTookMeanwhileIsTakenBackOnlyWithAHigherEpoch() throws IOException {
		LeaseHolder holder = LeaseHolder.newInstance();
		lease(this.objects, SHORT, holder, Clock.systemUTC()).acquire();
		steal(Duration.ofMillis(900));
		ReplicaLease engine = lease(this.objects, SHORT, holder, Clock.systemUTC());
		assertThat(engine.tryAcquire()).as("the thief may be alive: watched first").isEqualTo(LeaseAttempt.WAITING);
		engine.acquire();
		assertThat(stored().epoch()).isEqualTo(101);
		assertThat(engine.lastAcquisitionFollowedAnother()).isTrue();
	}

	@Test
	void anUnreachableStoreAtStartFencesTheReplicaWithoutFailingAndTheLeaseIsTakenWhenItAnswers()
			throws IOException {
		AtomicBoolean failing = new AtomicBoolean(true);
		ReplicaLease lease = lease(new UnreachableConditionalObjects(this.objects, failing), SHORT);
		lease.acquireAtStart();
		assertThat(lease.status().role()).isEqualTo(LeaseRole.FENCED);
		assertThat(lease.status().lost()).isFalse();
		assertThat(lease.allowsWrites()).isFalse();
		failing.set(false);
		assertThat(lease.renew()).isEqualTo(LeaseRole.PRIMARY);
		assertThat(stored().epoch()).isEqualTo(1);
	}

	@Test
	void aLiveHolderStillRefusesAtStart() throws IOException {
		ReplicaLease first = lease(this.objects, SHORT);
		first.acquire();
		renewEvery(first, SHORT.renewInterval());
		assertThatExceptionOfType(LeaseHeldException.class).isThrownBy(lease(this.objects, SHORT)::acquireAtStart);
	}

	@Test
	void writesStopWithinTheSafetyMarginWhenRenewalsStop() throws IOException {
		ReplicaLease lease = lease(this.objects, SHORT);
		lease.acquire();
		assertThat(lease.allowsWrites()).isTrue();
		sleep(SHORT.ttl().minus(SHORT.safetyMargin()).toMillis() + 20);
		assertThat(lease.allowsWrites()).isFalse();
		assertThat(lease.status().role()).isEqualTo(LeaseRole.FENCED);
		assertThatExceptionOfType(LeaseFencedException.class).isThrownBy(lease::checkWritable)
			.withMessageContaining("renewed too long ago");
		assertThat(lease.renew()).isEqualTo(LeaseRole.PRIMARY);
		assertThat(lease.allowsWrites()).isTrue();
	}

	@Test
	void backendWithoutConditionalWritesCannotKeepALease() {
		ReplicaLease lease = lease(null, SHORT);
		assertThatExceptionOfType(LeaseUnsupportedException.class).isThrownBy(lease::acquire)
			.withMessageContaining("Replica 'file'")
			.withMessageContaining("no conditional writes");
	}

	@Test
	void storeThatIgnoresConditionsIsDetectedBeforeTheLeaseIsWritten() {
		ReplicaLease lease = lease(new UnconditionalObjects(this.objects), SHORT);
		assertThatExceptionOfType(LeaseUnsupportedException.class).isThrownBy(lease::acquire)
			.withMessageContaining("ignores If-None-Match");
		assertThat(readStored()).isEmpty();
	}

	@Test
	void storeThatHonoursIfNoneMatchButIgnoresIfMatchIsDetectedToo() {
		ReplicaLease lease = lease(new IfMatchIgnoringObjects(this.objects), SHORT);
		assertThatExceptionOfType(LeaseUnsupportedException.class).isThrownBy(lease::acquire)
			.withMessageContaining("ignores If-Match");
		assertThat(readStored()).isEmpty();
	}

	@Test
	void objectThatIsNotALeaseNamesItself() throws IOException {
		this.objects.create(ReplicaLease.OBJECT, "hello".getBytes(StandardCharsets.UTF_8));
		assertThatExceptionOfType(IOException.class).isThrownBy(lease(this.objects, SHORT)::acquire)
			.withMessageContaining("lease.json")
			.withMessageContaining("is not a lease");
	}

	@Test
	void aFencedClientRefusesWritesButStillReadsAndListsEverything() throws IOException {
		Path root = this.temp.resolve("replica");
		java.nio.file.Files.createDirectories(root.resolve("tenants/a.db/generations/0123456789abcdef"));
		java.nio.file.Files.createDirectories(root.resolve("generations/0123456789abcdef/snapshots"));
		FileReplicaClient client = new FileReplicaClient(root);
		ReplicaLease lease = lease(this.objects, SHORT);
		FencedReplicaClient fenced = new FencedReplicaClient(client, lease);
		assertThat(fenced.databasesBelow(true)).containsExactly("tenants/a.db");
		assertThatExceptionOfType(LeaseFencedException.class)
			.isThrownBy(() -> fenced.deleteGeneration("0123456789abcdef"));
		assertThat(fenced.generations()).containsExactly("0123456789abcdef");
		lease.acquire();
		fenced.deleteGeneration("0123456789abcdef");
		assertThat(fenced.generations()).isEmpty();
	}

	private void steal(Duration ttl) throws IOException {
		ConditionalObjects.VersionedObject current = this.objects.read(ReplicaLease.OBJECT).orElseThrow();
		Instant now = Instant.now();
		LeaseRecord thief = new LeaseRecord(new LeaseHolder("thief", "thief-host", 4242), 100, now, now.plus(ttl), ttl,
				false);
		this.objects.replace(ReplicaLease.OBJECT, thief.toJson(), current.version());
	}

	/** The other instance's clean stop: its record, released, with the same epoch. */
	private void release(LeaseRecord held) throws IOException {
		ConditionalObjects.VersionedObject current = this.objects.read(ReplicaLease.OBJECT).orElseThrow();
		Instant now = Instant.now();
		this.objects.replace(ReplicaLease.OBJECT,
				new LeaseRecord(held.holder(), held.epoch(), now, now, held.ttl(), true).toJson(), current.version());
	}

	private ReplicaLease lease(ConditionalObjects store, LeaseOptions options) {
		return lease(store, options, LeaseHolder.newInstance(), Clock.systemUTC());
	}

	private ReplicaLease lease(ConditionalObjects store, LeaseOptions options, LeaseHolder holder, Clock clock) {
		return new ReplicaLease("file", this.temp.resolve("replica").toString(), store, options, holder, clock);
	}

	private void renewEvery(ReplicaLease lease, Duration interval) {
		this.renewer.scheduleWithFixedDelay(lease::renew, interval.toMillis(), interval.toMillis(),
				TimeUnit.MILLISECONDS);
	}

	private LeaseRecord stored() throws IOException {
		return LeaseRecord.parse(readStored().orElseThrow().content());
	}

	private Optional<ConditionalObjects.VersionedObject> readStored() {
		try {
			return this.objects.read(ReplicaLease.OBJECT);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** A real store whose replace is sent twice, as a client retries after a lost answer. */
	private static final class RetriedObjects extends ForwardingConditionalObjects {

		private final AtomicBoolean retrying;

		RetriedObjects(ConditionalObjects store, AtomicBoolean retrying) {
			super(store);
			this.retrying = retrying;
		}

		@Override
		public String replace(String name, byte[] content, String version) throws IOException {
			String written = super.replace(name, content, version);
			return this.retrying.get() ? super.replace(name, content, version) : written;
		}

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

	/** A real store behind a front that, like some S3-compatible stores, ignores conditions. */
	private static final class UnconditionalObjects extends ForwardingConditionalObjects {

		UnconditionalObjects(ConditionalObjects store) {
			super(store);
		}

		@Override
		public String create(String name, byte[] content) throws IOException {
			Optional<VersionedObject> existing = store().read(name);
			return existing.isPresent() ? store().replace(name, content, existing.get().version())
					: store().create(name, content);
		}

		@Override
		public String replace(String name, byte[] content, String version) throws IOException {
			Optional<VersionedObject> existing = store().read(name);
			if (existing.isEmpty()) {
				throw new ConditionalWriteConflictException(name + " is missing");
			}
			return store().replace(name, content, existing.get().version());
		}

	}

}

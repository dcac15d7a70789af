package io.github.litestream.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import io.github.litestream.Litestream;
import io.github.litestream.lease.LeaseStatus;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;

/**
 * Readiness follows the role: this instance refuses traffic while it waits to take over a
 * standby database, or while another instance holds the lease of one of its replicas (it
 * replaced this one as the primary) or wrote to one since its file was last replicated (the
 * file is stale, and nothing of it is replicated), and accepts it again once neither holds. Both reasons are
 * weighed together, so that the end of one never lets traffic in while the other still holds.
 * A replica that is merely unreachable changes nothing here, although its writes are fenced
 * once the lease cannot be renewed: the only instance stays in service, and health details,
 * metrics and logs report the outage. Liveness is untouched: a standby is healthy.
 *
 * <p>It only ever undoes its own refusal: it publishes {@link ReadinessState#ACCEPTING_TRAFFIC}
 * only after it published {@link ReadinessState#REFUSING_TRAFFIC}. Spring Boot publishes
 * ACCEPTING_TRAFFIC once startup ends, to every listener in turn; a refusal due then must reach
 * {@link ApplicationAvailability} after that event did, so it is published at once when the
 * availability bean already recorded the event, and otherwise from a short-lived thread as
 * soon as it has.
 */
final class LitestreamReadiness implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {

	private static final Logger logger = LoggerFactory.getLogger(LitestreamReadiness.class);

	private static final Duration MAX_WAIT_FOR_AVAILABILITY = Duration.ofSeconds(10);

	private final LitestreamStandbys standbys;

	private final Supplier<@Nullable String> lostLease;

	private final ApplicationEventPublisher publisher;

	private final ObjectProvider<ApplicationAvailability> availability;

	private boolean refusing;

	LitestreamReadiness(Litestream litestream, LitestreamStandbys standbys, ApplicationEventPublisher publisher,
			ObjectProvider<ApplicationAvailability> availability) {
		this(standbys, () -> lostLease(litestream), publisher, availability);
		litestream.addLeaseListener((database, replica, status) -> update());
	}

	/**
	 * @param lostLease which lease another instance holds, or {@code null}
	 */
	LitestreamReadiness(LitestreamStandbys standbys, Supplier<@Nullable String> lostLease,
			ApplicationEventPublisher publisher, ObjectProvider<ApplicationAvailability> availability) {
		this.standbys = standbys;
		this.lostLease = lostLease;
		this.publisher = publisher;
		this.availability = availability;
		standbys.onPromotion(this::update);
	}

	@Override
	public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
		if (event.getSource() == this || event.getState() != ReadinessState.ACCEPTING_TRAFFIC
				|| refusalReasons().isEmpty()) {
			return;
		}
		ApplicationAvailability recorder = this.availability.getIfAvailable();
		if (recorder == null || recorder.getLastChangeEvent(ReadinessState.class) == event) {
			refuseAfterOtherAccepted();
			return;
		}
		Thread later = new Thread(() -> refuseOnceRecorded(recorder, event), "litestream-readiness");
		later.setDaemon(true);
		later.start();
	}

	private void refuseOnceRecorded(ApplicationAvailability recorder, AvailabilityChangeEvent<ReadinessState> event) {
		long deadline = System.nanoTime() + MAX_WAIT_FOR_AVAILABILITY.toNanos();
		while (recorder.getLastChangeEvent(ReadinessState.class) != event && System.nanoTime() < deadline) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
		}
		refuseAfterOtherAccepted();
	}

	/** Another publisher accepted traffic: refused before or not, it must be refused again. */
	private synchronized void refuseAfterOtherAccepted() {
		List<String> reasons = refusalReasons();
		if (!reasons.isEmpty()) {
			refuse(reasons);
		}
	}

	/** Weighs both reasons again: on a promotion and on every lease change. */
	synchronized void update() {
		List<String> reasons = refusalReasons();
		if (!reasons.isEmpty() && !this.refusing) {
			refuse(reasons);
		}
		else if (reasons.isEmpty() && this.refusing) {
			this.refusing = false;
			logger.info("Accepting traffic again: this instance is the primary of every standby database and holds "
					+ "every lease");
			AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.ACCEPTING_TRAFFIC);
		}
	}

	private void refuse(List<String> reasons) {
		this.refusing = true;
		if (this.lostLease.get() != null) {
			logger.warn("Refusing traffic: {}", String.join("; ", reasons));
		}
		else {
			logger.info("Refusing traffic: {}", String.join("; ", reasons));
		}
		AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.REFUSING_TRAFFIC);
	}

	private List<String> refusalReasons() {
		List<String> reasons = new ArrayList<>();
		if (this.standbys.anyWaiting()) {
			reasons.add("this instance is a standby until it takes over " + this.standbys.all()
				.stream()
				.filter((db) -> !db.isPrimary())
				.map(StandbyDatabase::path)
				.toList());
		}
		String lost = this.lostLease.get();
		if (lost != null) {
			reasons.add(lost);
		}
		return reasons;
	}

	private static @Nullable String lostLease(Litestream litestream) {
		// A stale file: another instance wrote to a replica since it was last replicated, so
		// commits made on it here are replicated nowhere (it gave its leases back).
		String stale = litestream.databases()
			.stream()
			.flatMap((database) -> litestream.staleFile(database).stream())
			.map((file) -> file.database() + " is stale and is not replicated (" + file.reason() + ")")
			.findFirst()
			.orElse(null);
		if (stale != null) {
			return stale;
		}
		return litestream.databases()
			.stream()
			.flatMap((database) -> litestream.replicas(database)
				.stream()
				.flatMap((replica) -> litestream.lease(replica)
					.filter(LeaseStatus::lost)
					.map((status) -> "another instance holds the lease of replica '" + replica.name() + "' of "
							+ database.path() + " (" + status.fencedReason() + ")")
					.stream()))
			.findFirst()
			.orElse(null);
	}

}

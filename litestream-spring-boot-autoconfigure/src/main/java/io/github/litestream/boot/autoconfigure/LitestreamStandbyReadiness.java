package io.github.litestream.boot.autoconfigure;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;

/**
 * Readiness follows the standby role: an instance that waits to take over a standby database
 * cannot serve, so it refuses traffic even after the application started (Spring Boot accepts
 * traffic once startup ends), and accepts it once it is the primary of every standby database.
 * Liveness is untouched: a standby is healthy, and deploys that wait for the new instance to
 * start before they stop the old one can check it.
 *
 * <p>Spring Boot publishes {@link ReadinessState#ACCEPTING_TRAFFIC} to every listener in turn;
 * the refusal must reach {@link ApplicationAvailability} after that event did, so it is
 * published at once when the availability bean already recorded the event, and otherwise
 * from a short-lived thread as soon as it has.
 */
final class LitestreamStandbyReadiness implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {

	private static final Logger logger = LoggerFactory.getLogger(LitestreamStandbyReadiness.class);

	private static final Duration MAX_WAIT_FOR_AVAILABILITY = Duration.ofSeconds(10);

	private final LitestreamStandbys standbys;

	private final ApplicationEventPublisher publisher;

	private final ObjectProvider<ApplicationAvailability> availability;

	private boolean refusing;

	LitestreamStandbyReadiness(LitestreamStandbys standbys, ApplicationEventPublisher publisher,
			ObjectProvider<ApplicationAvailability> availability) {
		this.standbys = standbys;
		this.publisher = publisher;
		this.availability = availability;
		standbys.onPromotion(this::promoted);
	}

	@Override
	public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
		if (event.getSource() == this || event.getState() != ReadinessState.ACCEPTING_TRAFFIC
				|| !this.standbys.anyWaiting()) {
			return;
		}
		ApplicationAvailability recorder = this.availability.getIfAvailable();
		if (recorder == null || recorder.getLastChangeEvent(ReadinessState.class) == event) {
			refuse();
			return;
		}
		Thread later = new Thread(() -> refuseOnceRecorded(recorder, event), "litestream-standby-readiness");
		later.setDaemon(true);
		later.start();
	}

	private void refuseOnceRecorded(ApplicationAvailability recorder, AvailabilityChangeEvent<ReadinessState> event) {
		long deadline = System.nanoTime() + MAX_WAIT_FOR_AVAILABILITY.toNanos();
		while (recorder.getLastChangeEvent(ReadinessState.class) != event && System.nanoTime() < deadline) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
		}
		refuse();
	}

	private synchronized void refuse() {
		if (!this.standbys.anyWaiting()) {
			return;
		}
		this.refusing = true;
		logger.info("Refusing traffic: this instance is a standby until it takes over {}",
				this.standbys.all().stream().filter((db) -> !db.isPrimary()).map(StandbyDatabase::path).toList());
		AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.REFUSING_TRAFFIC);
	}

	private synchronized void promoted() {
		if (this.refusing && !this.standbys.anyWaiting()) {
			this.refusing = false;
			logger.info("Accepting traffic: this instance took over every standby database");
			AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.ACCEPTING_TRAFFIC);
		}
	}

}

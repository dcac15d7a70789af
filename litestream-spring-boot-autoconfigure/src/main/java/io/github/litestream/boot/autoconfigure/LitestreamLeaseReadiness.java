package io.github.litestream.boot.autoconfigure;

import io.github.litestream.Litestream;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.replica.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Readiness follows the role: while another instance holds the lease of one of this
 * instance's replicas (it replaced ours), this one is no longer the primary and refuses
 * traffic; it accepts traffic again once it holds every lease again. A replica that is merely
 * unreachable changes nothing here, although its writes are fenced once the lease cannot be
 * renewed: the only instance stays in service, and health details, metrics and logs report the
 * outage.
 *
 * <p>It only ever undoes its own refusal: it publishes {@link ReadinessState#ACCEPTING_TRAFFIC}
 * only after it published {@link ReadinessState#REFUSING_TRAFFIC}.
 */
final class LitestreamLeaseReadiness {

	private static final Logger logger = LoggerFactory.getLogger(LitestreamLeaseReadiness.class);

	private final Litestream litestream;

	private final ApplicationEventPublisher publisher;

	private boolean refusing;

	LitestreamLeaseReadiness(Litestream litestream, ApplicationEventPublisher publisher) {
		this.litestream = litestream;
		this.publisher = publisher;
		litestream.addLeaseListener(this::onLeaseChanged);
	}

	private synchronized void onLeaseChanged(ReplicatedDatabase database, Replica replica, LeaseStatus status) {
		boolean fenced = this.litestream.databases()
			.stream()
			.flatMap((db) -> this.litestream.replicas(db).stream())
			.anyMatch((r) -> this.litestream.lease(r).filter(LeaseStatus::lost).isPresent());
		if (fenced && !this.refusing) {
			this.refusing = true;
			logger.error("Refusing traffic: another instance holds the lease of replica '{}' of {} ({})", replica.name(),
					database.path(), status.fencedReason());
			AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.REFUSING_TRAFFIC);
		}
		else if (!fenced && this.refusing) {
			this.refusing = false;
			logger.info("Accepting traffic again: every leased replica is held by this instance");
			AvailabilityChangeEvent.publish(this.publisher, this, ReadinessState.ACCEPTING_TRAFFIC);
		}
	}

}

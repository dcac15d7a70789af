package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.github.litestream.ReplicaQuorum;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.lease.LeaseOptions;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.SimpleApplicationEventMulticaster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Readiness against Spring Boot's own ACCEPTING_TRAFFIC, whichever of the two listeners hears
 * of it first: the availability must end at REFUSING_TRAFFIC while a standby waits or a lease is
 * lost, and at ACCEPTING_TRAFFIC only once neither holds.
 */
class LitestreamReadinessTests {

	@Test
	void refusesAfterSpringBootAcceptsWhenTheAvailabilityBeanHearsFirst() {
		assertStandbyRefusesThenAcceptsAtPromotion(true);
	}

	@Test
	void refusesAfterSpringBootAcceptsWhenTheAvailabilityBeanHearsLast() {
		assertStandbyRefusesThenAcceptsAtPromotion(false);
	}

	private static void assertStandbyRefusesThenAcceptsAtPromotion(boolean availabilityFirst) {
		Readiness readiness = new Readiness(availabilityFirst);
		StandbyDatabase database = readiness.standbys.of(standbyEntry());

		readiness.springBootAccepts();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> readiness.availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC);

		database.gate().open();
		readiness.standbys.promoted();
		assertThat(readiness.availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
	}

	@Test
	void aStandbyTakingOverWhileAnotherLeaseIsLostKeepsRefusing() {
		Readiness readiness = new Readiness(true);
		StandbyDatabase database = readiness.standbys.of(standbyEntry());
		readiness.springBootAccepts();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> readiness.availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC);

		readiness.lostLease.set("another instance holds the lease of replica 's3' of /data/other.db");
		readiness.listener.update();
		database.gate().open();
		readiness.standbys.promoted();
		assertThat(readiness.availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);

		readiness.lostLease.set(null);
		readiness.listener.update();
		assertThat(readiness.availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
	}

	@Test
	void aLeaseRegainedWhileAStandbyWaitsKeepsRefusing() {
		Readiness readiness = new Readiness(true);
		readiness.standbys.of(standbyEntry());
		readiness.springBootAccepts();
		readiness.lostLease.set("another instance holds the lease of replica 's3' of /data/other.db");
		readiness.listener.update();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> readiness.availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC);

		readiness.lostLease.set(null);
		readiness.listener.update();
		assertThat(readiness.availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
	}

	@Test
	void aLeaseLostBeforeStartupEndsStillRefusesAfterSpringBootAccepts() {
		for (boolean availabilityFirst : new boolean[] { true, false }) {
			Readiness readiness = new Readiness(availabilityFirst);
			readiness.lostLease.set("another instance holds the lease of replica 's3' of /data/app.db");
			readiness.listener.update();
			readiness.springBootAccepts();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> readiness.availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC);
		}
	}

	/** The listener between Spring Boot's availability bean and a multicaster, in either order. */
	private static final class Readiness {

		final ApplicationAvailabilityBean availability = new ApplicationAvailabilityBean();

		final LitestreamStandbys standbys = new LitestreamStandbys(Clock.systemUTC());

		final AtomicReference<String> lostLease = new AtomicReference<>();

		final LitestreamReadiness listener;

		private final ApplicationEventPublisher publisher;

		Readiness(boolean availabilityFirst) {
			SimpleApplicationEventMulticaster multicaster = new SimpleApplicationEventMulticaster();
			StaticListableBeanFactory beans = new StaticListableBeanFactory();
			beans.addBean("availability", this.availability);
			this.publisher = (event) -> multicaster.multicastEvent((ApplicationEvent) event);
			this.listener = new LitestreamReadiness(this.standbys, this.lostLease::get, this.publisher,
					beans.getBeanProvider(ApplicationAvailability.class));
			List<ApplicationListener<?>> order = availabilityFirst ? List.of(this.availability, this.listener)
					: List.of(this.listener, this.availability);
			order.forEach(multicaster::addApplicationListener);
		}

		void springBootAccepts() {
			AvailabilityChangeEvent.publish(this.publisher, "Spring Boot", ReadinessState.ACCEPTING_TRAFFIC);
		}

	}

	private static DatabaseSettings standbyEntry() {
		Path path = Path.of("/tmp/litestream-standby-readiness/app.db");
		return new DatabaseSettings("litestream.dbs[0]", path, DatabaseOptions.DEFAULT_MONITOR_INTERVAL,
				DatabaseOptions.DEFAULT_CHECKPOINT_INTERVAL, DatabaseOptions.DEFAULT_MIN_CHECKPOINT_PAGE_COUNT,
				DatabaseOptions.DEFAULT_MAX_CHECKPOINT_PAGE_COUNT, 0, true, true, 1, false, List.of(),
				new SynchronousCommits(false, ReplicaQuorum.ANY, Duration.ofSeconds(5)), LeaseOptions.defaults(), true,
				null);
	}

}

package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

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
 * The standby's readiness against Spring Boot's own ACCEPTING_TRAFFIC, whichever of the two
 * listeners hears of it first: the availability must end at REFUSING_TRAFFIC while a standby
 * waits, and at ACCEPTING_TRAFFIC once it took over.
 */
class LitestreamStandbyReadinessTests {

	@Test
	void refusesAfterSpringBootAcceptsWhenTheAvailabilityBeanHearsFirst() {
		assertStandbyRefusesThenAcceptsAtPromotion(true);
	}

	@Test
	void refusesAfterSpringBootAcceptsWhenTheAvailabilityBeanHearsLast() {
		assertStandbyRefusesThenAcceptsAtPromotion(false);
	}

	private static void assertStandbyRefusesThenAcceptsAtPromotion(boolean availabilityFirst) {
		ApplicationAvailabilityBean availability = new ApplicationAvailabilityBean();
		SimpleApplicationEventMulticaster multicaster = new SimpleApplicationEventMulticaster();
		LitestreamStandbys standbys = new LitestreamStandbys(Clock.systemUTC());
		StandbyDatabase database = standbys.of(standbyEntry());
		StaticListableBeanFactory beans = new StaticListableBeanFactory();
		beans.addBean("availability", availability);
		ApplicationEventPublisher publisher = (event) -> multicaster.multicastEvent((ApplicationEvent) event);
		LitestreamStandbyReadiness readiness = new LitestreamStandbyReadiness(standbys, publisher,
				beans.getBeanProvider(ApplicationAvailability.class));
		List<ApplicationListener<?>> order = availabilityFirst ? List.of(availability, readiness)
				: List.of(readiness, availability);
		order.forEach(multicaster::addApplicationListener);

		AvailabilityChangeEvent.publish(publisher, "Spring Boot", ReadinessState.ACCEPTING_TRAFFIC);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC);

		database.gate().open();
		standbys.promoted();
		assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
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

package io.github.litestream.boot.actuate;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.litestream.Litestream;
import io.github.litestream.boot.autoconfigure.LitestreamAutoConfiguration;
import io.github.litestream.boot.autoconfigure.LitestreamStandbys;
import io.github.litestream.boot.autoconfigure.StandbyDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spring Boot's {@code db} health of a standby DataSource ({@code litestream.dbs[n].standby}),
 * in real applications on one file replica: while another instance holds the lease, it answers
 * OUT_OF_SERVICE with what the standby waits for, where Spring Boot's indicator would wait for
 * a connection up to the pool's connection timeout (20 s here) and then say DOWN; once this
 * instance took over, it is Spring Boot's own answer; if the takeover failed, DOWN with the
 * reason.
 */
class StandbyDataSourceHealthTests {

	@TempDir
	Path dir;

	@Test
	void aStandbysDbHealthIsOutOfServiceWhileItWaitsAndSpringBootsOwnOnceItTookOver() {
		Path replica = this.dir.resolve("replica");
		ConfigurableApplicationContext primary = run(single("primary", replica));
		awaitPrimary(primary);
		try (ConfigurableApplicationContext standby = run(single("standby", replica))) {
			StandbyDatabase waiting = standbyOf(standby);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> waiting.status().map((status) -> status.lease() != null).orElse(false));
			HealthEndpoint endpoint = standby.getBean(HealthEndpoint.class);
			Map<String, Object> details = indicated(endpoint.healthForPath("db"), Status.OUT_OF_SERVICE);
			assertThat(details).containsEntry("role", "standby")
				.containsEntry("property", "litestream.dbs[0]")
				.containsEntry("path", database("standby").toString());
			assertThat((String) details.get("waitingFor"))
				.contains(primary.getBean(Litestream.class).leaseHolder() + " holds the lease (epoch ")
				.contains(", until ");
			assertThat(endpoint.health().getStatus()).as("the aggregate: this instance serves nothing yet")
				.isEqualTo(Status.OUT_OF_SERVICE);

			primary.close();
			awaitPrimary(standby);
			Map<String, Object> tookOver = indicated(endpoint.healthForPath("db"), Status.UP);
			assertThat(tookOver).as("Spring Boot's DataSourceHealthIndicator").containsEntry("database", "SQLite");
			assertThat(endpoint.health().getStatus()).isEqualTo(Status.UP);
		}
		finally {
			primary.close();
		}
	}

	@Test
	void ofTwoDataSourcesOnlyTheStandbysIndicatorIsReplacedEvenIfItWasWrappedAgain() {
		Path ordersReplica = this.dir.resolve("orders-replica");
		try (ConfigurableApplicationContext primary = run(single("primary", ordersReplica))) {
			awaitPrimary(primary);
			List<String> properties = List.of("app.orders.url=jdbc:sqlite:" + database("orders"),
					"app.customers.url=jdbc:sqlite:" + database("customers"),
					"litestream.dbs[0].path=" + database("orders"), "litestream.dbs[0].standby=true",
					"litestream.dbs[0].lease.ttl=3s", "litestream.dbs[0].replicas[0].path=" + ordersReplica,
					"spring.flyway.enabled=false",
					"litestream.dbs[1].path=" + database("customers"),
					"litestream.dbs[1].replicas[0].path=" + this.dir.resolve("customers-replica"),
					"management.endpoint.health.show-details=always");
			try (ConfigurableApplicationContext standby = new SpringApplicationBuilder(HealthApplication.class,
					TwoDataSources.class)
				.web(WebApplicationType.NONE)
				.properties(properties.toArray(String[]::new))
				.run()) {
				HealthEndpoint endpoint = standby.getBean(HealthEndpoint.class);
				Map<String, Object> orders = indicated(endpoint.healthForPath("db", "ordersDataSource"),
						Status.OUT_OF_SERVICE);
				assertThat(orders).containsEntry("role", "standby").containsKey("waitingFor");
				Map<String, Object> customers = indicated(endpoint.healthForPath("db", "customersDataSource"),
						Status.UP);
				assertThat(customers).containsEntry("database", "SQLite");
				assertThat(endpoint.healthForPath("db").getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
			}
		}
	}

	@Test
	void aFailedTakeoverIsDownAtOnceWithTheReason() {
		List<String> properties = new ArrayList<>(single("broken", this.dir.resolve("replica")));
		properties.add("spring.flyway.locations=classpath:db/litestream-standby-broken");
		try (ConfigurableApplicationContext context = run(properties)) {
			StandbyDatabase database = standbyOf(context);
			await().atMost(Duration.ofSeconds(30)).until(() -> database.failure() != null);
			Map<String, Object> details = indicated(context.getBean(HealthEndpoint.class).healthForPath("db"),
					Status.DOWN);
			assertThat(details).containsEntry("role", "failed");
			assertThat((String) details.get("error")).contains("the work deferred to the takeover failed")
				.contains("V1__broken.sql");
		}
	}

	@Test
	void anApplicationsOwnDbHealthContributorIsLeftAlone() {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(HealthApplication.class,
				OwnDbHealth.class)
			.web(WebApplicationType.NONE)
			.properties(single("own", this.dir.resolve("replica")).toArray(String[]::new))
			.run()) {
			assertThat(context.getBean("dbHealthContributor")).isSameAs(context.getBean(OwnDbHealth.class).health);
		}
	}

	@Test
	void withoutStandbysTheIndicatorIsSpringBoots() {
		List<String> properties = new ArrayList<>(single("plain", this.dir.resolve("replica")));
		properties.remove("litestream.dbs[0].standby=true");
		try (ConfigurableApplicationContext context = run(properties)) {
			assertThat(context.getBean("dbHealthContributor"))
				.isInstanceOf(org.springframework.boot.jdbc.health.DataSourceHealthIndicator.class);
		}
	}

	private static Map<String, Object> indicated(HealthDescriptor descriptor, Status status) {
		assertThat(descriptor).isInstanceOf(IndicatedHealthDescriptor.class);
		assertThat(descriptor.getStatus()).isEqualTo(status);
		return ((IndicatedHealthDescriptor) descriptor).getDetails();
	}

	private static void awaitPrimary(ConfigurableApplicationContext context) {
		await().atMost(Duration.ofSeconds(30)).until(standbyOf(context)::isPrimary);
	}

	private static StandbyDatabase standbyOf(ConfigurableApplicationContext context) {
		return context.getBean(LitestreamStandbys.class).all().get(0);
	}

	private Path database(String name) {
		return this.dir.resolve(name).resolve("app.db");
	}

	/**
	 * A standby entry for the application's one DataSource, whose connections would wait 20 s
	 * for the takeover.
	 */
	private List<String> single(String name, Path replica) {
		return new ArrayList<>(List.of("spring.datasource.url=jdbc:sqlite:" + database(name),
				"spring.datasource.hikari.connection-timeout=20000",
				"spring.flyway.locations=classpath:db/litestream-boot-test", "litestream.dbs[0].standby=true",
				"litestream.dbs[0].lease.ttl=3s", "litestream.dbs[0].replicas[0].path=" + replica,
				"litestream.dbs[0].replicas[0].sync-interval=100ms", "management.endpoint.health.show-details=always"));
	}

	private static ConfigurableApplicationContext run(List<String> properties) {
		return new SpringApplicationBuilder(HealthApplication.class).web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.run();
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ApplicationAvailabilityAutoConfiguration.class, DataSourceAutoConfiguration.class,
			FlywayAutoConfiguration.class, LitestreamAutoConfiguration.class, LitestreamReplicaLagAutoConfiguration.class,
			LitestreamHealthContributorAutoConfiguration.class, DataSourceHealthContributorAutoConfiguration.class,
			HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
			HealthEndpointAutoConfiguration.class })
	static class HealthApplication {

	}

	/**
	 * Two Hikari pools, whose connections would wait 20 s for a takeover; the standby's is
	 * wrapped again once Litestream prepared it, as a tracing library does.
	 */
	@Configuration(proxyBeanMethods = false)
	static class TwoDataSources {

		@Bean
		static BeanPostProcessor tracingDataSources() {
			return new BeanPostProcessor() {

				@Override
				public Object postProcessAfterInitialization(Object bean, String beanName) {
					return (beanName.equals("ordersDataSource")) ? new DelegatingDataSource((DataSource) bean) : bean;
				}

			};
		}

		@Bean
		@Qualifier("orders")
		DataSource ordersDataSource(@Value("${app.orders.url}") String url) {
			return pool(url);
		}

		@Bean
		@Qualifier("customers")
		DataSource customersDataSource(@Value("${app.customers.url}") String url) {
			return pool(url);
		}

		private static HikariDataSource pool(String url) {
			HikariDataSource pool = DataSourceBuilder.create().type(HikariDataSource.class).url(url).build();
			pool.setConnectionTimeout(20_000);
			return pool;
		}

	}

	/** An application's own {@code db} health. */
	@Configuration(proxyBeanMethods = false)
	static class OwnDbHealth {

		final HealthIndicator health = () -> Health.up().withDetail("own", true).build();

		@Bean
		HealthIndicator dbHealthContributor() {
			return this.health;
		}

	}

}

package io.github.litestream.boot.actuate;

import java.time.Clock;

import io.github.litestream.Litestream;
import io.github.litestream.boot.autoconfigure.LitestreamStandbys;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;

/**
 * Auto-configuration of the {@code litestream} health indicator, when Spring Boot's health
 * support is present and {@code management.health.litestream.enabled} is not {@code false};
 * and of the {@code db} health of standby DataSources, when Spring Boot's DataSource health
 * indicator is present and {@code management.health.db.enabled} is not {@code false}.
 */
@AutoConfiguration(after = LitestreamReplicaLagAutoConfiguration.class,
		afterName = LitestreamReplicaLagAutoConfiguration.LITESTREAM_AUTO_CONFIGURATION)
@ConditionalOnClass(name = "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator")
@ConditionalOnBean(Litestream.class)
@EnableConfigurationProperties(LitestreamHealthProperties.class)
public final class LitestreamHealthContributorAutoConfiguration {

	// On the method, so that the class condition above is checked first when the health
	// module is absent.
	@Bean
	@ConditionalOnEnabledHealthIndicator("litestream")
	@ConditionalOnMissingBean(name = "litestreamHealthIndicator")
	LitestreamHealthIndicator litestreamHealthIndicator(Litestream litestream, ReplicaLagTracker lag,
			LitestreamHealthProperties properties, ObjectProvider<LitestreamStandbys> standbys) {
		properties.validate();
		return new LitestreamHealthIndicator(litestream, lag, properties, Clock.systemUTC(),
				standbys.getIfAvailable());
	}

	/**
	 * Answers the {@code db} health of a standby DataSource at once, rather than after the
	 * pool's connection timeout.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.boot.jdbc.health.DataSourceHealthIndicator")
	@ConditionalOnEnabledHealthIndicator("db")
	static class StandbyDataSourceHealthConfiguration {

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		static StandbyDataSourceHealthPostProcessor standbyDataSourceHealthPostProcessor(
				ObjectProvider<LitestreamStandbys> standbys) {
			return new StandbyDataSourceHealthPostProcessor(standbys);
		}

	}

}

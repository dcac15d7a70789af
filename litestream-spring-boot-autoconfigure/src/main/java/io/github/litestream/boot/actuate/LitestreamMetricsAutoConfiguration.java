package io.github.litestream.boot.actuate;

import io.github.litestream.Litestream;
import io.github.litestream.boot.autoconfigure.LitestreamStandbys;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of Litestream's Micrometer metrics, when Micrometer is present. The
 * {@link ReplicaOperationMetrics} bean is what the replication auto-configuration hands to
 * each replica client it creates, so request counts reach the meters.
 */
@AutoConfiguration(after = LitestreamReplicaLagAutoConfiguration.class,
		afterName = LitestreamReplicaLagAutoConfiguration.LITESTREAM_AUTO_CONFIGURATION)
@ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
@ConditionalOnBean(Litestream.class)
@EnableConfigurationProperties(LitestreamMetricsProperties.class)
public final class LitestreamMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ReplicaOperationMetrics litestreamReplicaOperationMetrics() {
		return new ReplicaOperationMetrics();
	}

	@Bean
	@ConditionalOnMissingBean
	LitestreamMetrics litestreamMetrics(Litestream litestream, ReplicaLagTracker lag,
			ReplicaOperationMetrics operations, LitestreamMetricsProperties properties) {
		return new LitestreamMetrics(litestream, lag, operations, properties.getMaxDatabases());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(LitestreamStandbys.class)
	StandbyMeters litestreamStandbyMeters(LitestreamStandbys standbys) {
		return new StandbyMeters(standbys);
	}

}

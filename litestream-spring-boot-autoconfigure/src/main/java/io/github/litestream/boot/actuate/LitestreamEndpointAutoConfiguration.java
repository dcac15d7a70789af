package io.github.litestream.boot.actuate;

import io.github.litestream.Litestream;

import io.github.litestream.boot.autoconfigure.LitestreamStandbys;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ImportRuntimeHints;

/**
 * Auto-configuration of the {@link LitestreamEndpoint}, when the actuator is present and the
 * endpoint is available (enabled, and exposed over HTTP or JMX by the user).
 */
@AutoConfiguration(after = LitestreamReplicaLagAutoConfiguration.class,
		afterName = LitestreamReplicaLagAutoConfiguration.LITESTREAM_AUTO_CONFIGURATION)
@ConditionalOnClass(name = "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint")
@ConditionalOnBean(Litestream.class)
@EnableConfigurationProperties(LitestreamEndpointProperties.class)
@ImportRuntimeHints(LitestreamEndpointRuntimeHints.class)
public final class LitestreamEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	LitestreamEndpoint litestreamEndpoint(Litestream litestream, ReplicaLagTracker lag,
			LitestreamEndpointProperties properties, ObjectProvider<LitestreamStandbys> standbys) {
		return new LitestreamEndpoint(litestream, lag, properties, standbys.getIfAvailable());
	}

}

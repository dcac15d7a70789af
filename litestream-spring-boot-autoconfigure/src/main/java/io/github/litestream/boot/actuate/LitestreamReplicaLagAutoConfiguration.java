package io.github.litestream.boot.actuate;

import java.time.Clock;

import io.github.litestream.Litestream;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link ReplicaLagTracker} shared by the endpoint, the health
 * indicator and the metrics.
 */
@AutoConfiguration(afterName = LitestreamReplicaLagAutoConfiguration.LITESTREAM_AUTO_CONFIGURATION)
@ConditionalOnBean(Litestream.class)
public final class LitestreamReplicaLagAutoConfiguration {

	static final String LITESTREAM_AUTO_CONFIGURATION = "io.github.litestream.boot.autoconfigure.LitestreamAutoConfiguration";

	@Bean
	@ConditionalOnMissingBean
	ReplicaLagTracker litestreamReplicaLagTracker(Litestream litestream) {
		return ReplicaLagTracker.following(litestream, Clock.systemUTC());
	}

}

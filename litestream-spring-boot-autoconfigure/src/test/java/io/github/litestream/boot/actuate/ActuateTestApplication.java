package io.github.litestream.boot.actuate;

import java.time.Duration;

import io.github.litestream.Litestream;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * A web application whose {@link Litestream} bean replicates a real SQLite database to a file
 * replica; everything else (actuator, health, the Litestream actuate auto-configurations)
 * comes from auto-configuration. The boot layer's own replication auto-configuration is
 * switched off ({@code litestream.enabled=false}) so the test controls the engine.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration(excludeName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
class ActuateTestApplication {

	@Bean(destroyMethod = "close")
	TestReplication testReplication(ObjectProvider<ReplicaOperationMetrics> operations) throws Exception {
		return TestReplication.create(Duration.ZERO).register(operations.getIfAvailable()).start();
	}

	@Bean(destroyMethod = "")
	Litestream litestream(TestReplication replication) {
		return replication.litestream;
	}

}

package io.github.litestream.boot.autoconfigure;

import java.lang.reflect.Modifier;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import org.aopalliance.intercept.MethodInterceptor;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.util.ClassUtils;

/**
 * Makes a standby database's DataSource hand out connections only once this instance took
 * over ({@code litestream.dbs[n].standby}). As with synchronous replication, the bean is
 * replaced by a proxy of its own class, so injection points that expect a
 * {@code HikariDataSource} still get one. A connection waits as long as the pool would for a
 * free connection ({@code spring.datasource.hikari.connection-timeout}, 30 s by default).
 */
final class StandbyDataSources {

	private static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

	private static final boolean HIKARI_PRESENT = ClassUtils.isPresent("com.zaxxer.hikari.HikariConfig",
			StandbyDataSources.class.getClassLoader());

	private StandbyDataSources() {
	}

	/**
	 * Wraps a standby database's DataSource.
	 * @param dataSource the DataSource bean
	 * @param gate the database's gate
	 * @return a proxy whose {@code getConnection} waits for the gate
	 */
	static DataSource proxy(DataSource dataSource, StandbyGate gate) {
		Duration wait = connectionTimeout(dataSource);
		ProxyFactory factory = new ProxyFactory(dataSource);
		factory.setProxyTargetClass(!Modifier.isFinal(dataSource.getClass().getModifiers()));
		factory.addAdvice((MethodInterceptor) (invocation) -> {
			if (invocation.getMethod().getName().equals("getConnection")) {
				gate.await(wait);
			}
			return invocation.proceed();
		});
		return (DataSource) factory.getProxy(dataSource.getClass().getClassLoader());
	}

	private static Duration connectionTimeout(DataSource dataSource) {
		return HIKARI_PRESENT ? Hikari.connectionTimeout(dataSource) : DEFAULT_WAIT;
	}

	/** Hikari's types, loaded only when Hikari is on the classpath. */
	private static final class Hikari {

		static Duration connectionTimeout(DataSource dataSource) {
			return (dataSource instanceof HikariConfig hikari && hikari.getConnectionTimeout() > 0)
					? Duration.ofMillis(hikari.getConnectionTimeout()) : DEFAULT_WAIT;
		}

	}

}

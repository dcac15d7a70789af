package io.github.litestream.boot.autoconfigure;

import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import io.github.litestream.Litestream;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.jdbc.CommitAwaitingConnections;
import io.github.litestream.jdbc.CommitWaiter;
import io.github.litestream.jdbc.SynchronousReplicationDataSource;
import org.aopalliance.intercept.MethodInterceptor;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Makes a DataSource's commits wait for replication ({@code synchronous-replication=on}).
 * The DataSource bean is replaced by a proxy of its own class, so that injection points and
 * actuator's pool metrics that expect a {@code HikariDataSource} still get one; only the
 * connections it hands out change.
 */
final class SynchronousReplicationDataSources {

	private SynchronousReplicationDataSources() {
	}

	/**
	 * Wraps a replicated DataSource.
	 * @param dataSource the DataSource bean
	 * @param database its database, with synchronous replication on
	 * @param synchronous how its commits wait
	 * @param engine the engine, looked up at the first commit
	 * @return a proxy whose connections' commits wait
	 */
	static DataSource proxy(DataSource dataSource, DatabaseSettings database, SynchronousCommits synchronous,
			ObjectProvider<Litestream> engine) {
		CommitAwaitingConnections connections = new CommitAwaitingConnections(
				new EngineCommitWaiter(database.path(), synchronous, engine));
		ProxyFactory factory = new ProxyFactory(dataSource);
		factory.setProxyTargetClass(!Modifier.isFinal(dataSource.getClass().getModifiers()));
		factory.addAdvice((MethodInterceptor) (invocation) -> {
			Object result = invocation.proceed();
			return (result instanceof Connection connection && invocation.getMethod().getName().equals("getConnection"))
					? connections.wrap(connection) : result;
		});
		return (DataSource) factory.getProxy(dataSource.getClass().getClassLoader());
	}

	/**
	 * Waits through the engine, once replication runs. Schema migrations run while the
	 * context starts, before the engine does: their commits are shipped when it starts and do
	 * not wait (they could not: the engine starts after them).
	 */
	private static final class EngineCommitWaiter implements CommitWaiter {

		private final @Nullable Path path;

		private final SynchronousCommits synchronous;

		private final ObjectProvider<Litestream> engineProvider;

		private volatile @Nullable CommitWaiter waiter;

		EngineCommitWaiter(@Nullable Path path, SynchronousCommits synchronous, ObjectProvider<Litestream> engine) {
			this.path = path;
			this.synchronous = synchronous;
			this.engineProvider = engine;
		}

		@Override
		public void awaitReplicated() throws SQLException {
			CommitWaiter waiter = (this.waiter != null) ? this.waiter : find();
			if (waiter != null) {
				waiter.awaitReplicated();
			}
		}

		private @Nullable CommitWaiter find() {
			Litestream engine = this.engineProvider.getIfAvailable();
			if (engine == null) {
				return null;
			}
			for (ReplicatedDatabase database : engine.databases()) {
				if (database.path().equals(this.path)) {
					this.waiter = SynchronousReplicationDataSource.waiter(engine, database, this.synchronous.quorum(),
							this.synchronous.timeout());
					return this.waiter;
				}
			}
			return null;
		}

	}

}

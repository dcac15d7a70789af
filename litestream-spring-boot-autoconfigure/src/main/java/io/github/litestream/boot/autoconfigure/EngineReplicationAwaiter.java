package io.github.litestream.boot.autoconfigure;

import java.sql.SQLException;
import java.time.Duration;

import io.github.litestream.Litestream;
import io.github.litestream.ReplicaQuorum;
import io.github.litestream.boot.transaction.NotReplicatedException;
import io.github.litestream.boot.transaction.ReplicationAwaiter;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.jdbc.SynchronousReplicationDataSource;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationStyle;

/**
 * Waits for every replicated database of the engine, each with its own
 * {@code synchronous-replicas} and {@code synchronous-timeout} unless the caller names others.
 * A database without new commits costs one WAL check per replica and no upload.
 */
final class EngineReplicationAwaiter implements ReplicationAwaiter {

	private final Litestream engine;

	private final LitestreamDatabases databases;

	EngineReplicationAwaiter(Litestream engine, LitestreamDatabases databases) {
		this.engine = engine;
		this.databases = databases;
	}

	@Override
	public void await(@Nullable String replicas, @Nullable String timeout) {
		ReplicaQuorum quorum = (replicas != null) ? ReplicaQuorum.parse(replicas) : null;
		Duration wait = (timeout != null) ? DurationStyle.detectAndParse(timeout) : null;
		for (ReplicatedDatabase database : this.engine.databases()) {
			SynchronousCommits settings = settings(database);
			try {
				SynchronousReplicationDataSource
					.waiter(this.engine, database, (quorum != null) ? quorum : settings.quorum(),
							(wait != null) ? wait : settings.timeout())
					.awaitReplicated();
			}
			catch (SQLException ex) {
				throw new NotReplicatedException(ex);
			}
		}
	}

	private SynchronousCommits settings(ReplicatedDatabase database) {
		return this.databases.databases()
			.stream()
			.filter((settings) -> database.path().equals(settings.path()))
			.map(DatabaseSettings::synchronous)
			.findFirst()
			.orElse(new SynchronousCommits(false, ReplicaQuorum.ANY, Duration.ofSeconds(5)));
	}

}

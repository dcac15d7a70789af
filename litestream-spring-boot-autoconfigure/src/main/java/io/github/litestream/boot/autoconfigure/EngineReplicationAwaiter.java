package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.github.litestream.Litestream;
import io.github.litestream.ReplicaQuorum;
import io.github.litestream.boot.transaction.NotReplicatedException;
import io.github.litestream.boot.transaction.ReplicationAwaiter;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.jdbc.SynchronousReplicationDataSource;
import io.github.litestream.replica.Pos;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationStyle;

/**
 * Waits for the replicated databases that have commits newer than their copied position when
 * the method began, each with its own {@code synchronous-replicas} and
 * {@code synchronous-timeout} unless the caller names others; a timeout the caller names
 * bounds the whole wait. A database nobody wrote to meanwhile is not waited for, so an outage
 * of one tenant's replica does not fail methods that wrote to another. The check copies the
 * database's committed WAL ({@link ReplicatedDatabase#copyCommitted}, no checkpoint); file
 * times and sizes cannot tell (a restarted WAL is overwritten in place, within one tick of
 * the file system's clock).
 */
final class EngineReplicationAwaiter implements ReplicationAwaiter {

	private static final SynchronousCommits UNCONFIGURED = new SynchronousCommits(false, ReplicaQuorum.ANY,
			Duration.ofSeconds(5));

	private final Litestream engine;

	private final LitestreamDatabases databases;

	EngineReplicationAwaiter(Litestream engine, LitestreamDatabases databases) {
		this.engine = engine;
		this.databases = databases;
	}

	@Override
	public Pending begin() {
		Map<ReplicatedDatabase, Optional<Pos>> before = new HashMap<>();
		for (ReplicatedDatabase database : this.engine.databases()) {
			before.put(database, database.position());
		}
		return (replicas, timeout) -> await(before, replicas, timeout);
	}

	private void await(Map<ReplicatedDatabase, Optional<Pos>> before, @Nullable String replicas,
			@Nullable String timeout) {
		ReplicaQuorum quorum = (replicas != null) ? ReplicaQuorum.parse(replicas) : null;
		Duration wait = (timeout != null) ? DurationStyle.detectAndParse(timeout) : null;
		long start = 0;
		for (ReplicatedDatabase database : this.engine.databases()) {
			if (before.containsKey(database) && before.get(database).equals(committed(database))) {
				continue;
			}
			SynchronousCommits settings = settings(database);
			// A timeout of the caller's bounds the whole wait; each database's own, its own wait.
			Duration left = (wait == null) ? settings.timeout()
					: (start == 0) ? wait : wait.minusNanos(System.nanoTime() - start);
			start = (start == 0) ? System.nanoTime() : start;
			try {
				SynchronousReplicationDataSource
					.waiter(this.engine, database, (quorum != null) ? quorum : settings.quorum(),
							left.isNegative() ? Duration.ZERO : left)
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
			.orElse(UNCONFIGURED);
	}

	/** Everything committed so far, or nothing (which no position equals) if it cannot be copied. */
	private @Nullable Optional<Pos> committed(ReplicatedDatabase database) {
		try {
			return database.copyCommitted();
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

}

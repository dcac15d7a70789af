package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
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
 * times and sizes cannot tell that a database changed (a restarted WAL is overwritten in
 * place, within one tick of the file system's clock). They can tell that it did not: a WAL
 * last written well before the method began holds no commit of it, which spares a copy per
 * idle database (with a thousand tenants, a third of a second per call).
 */
final class EngineReplicationAwaiter implements ReplicationAwaiter {

	private static final SynchronousCommits UNCONFIGURED = new SynchronousCommits(false, ReplicaQuorum.ANY,
			Duration.ofSeconds(5));

	/**
	 * How long before the method began a WAL must have been last written to count as
	 * untouched: far more than a file system's timestamp granularity or a clock's slew.
	 */
	private static final Duration UNTOUCHED_MARGIN = Duration.ofSeconds(2);

	private final Litestream engine;

	private final LitestreamDatabases databases;

	EngineReplicationAwaiter(Litestream engine, LitestreamDatabases databases) {
		this.engine = engine;
		this.databases = databases;
	}

	@Override
	public Pending begin() {
		Instant untouchedBefore = Instant.now().minus(UNTOUCHED_MARGIN);
		Map<ReplicatedDatabase, Optional<Pos>> before = new HashMap<>();
		for (ReplicatedDatabase database : this.engine.databases()) {
			before.put(database, database.position());
		}
		return (replicas, timeout) -> await(before, untouchedBefore, replicas, timeout);
	}

	private void await(Map<ReplicatedDatabase, Optional<Pos>> before, Instant untouchedBefore,
			@Nullable String replicas, @Nullable String timeout) {
		ReplicaQuorum quorum = (replicas != null) ? ReplicaQuorum.parse(replicas) : null;
		Duration wait = (timeout != null) ? DurationStyle.detectAndParse(timeout) : null;
		long start = 0;
		for (ReplicatedDatabase database : this.engine.databases()) {
			if (before.containsKey(database) && (database.walModifiedAt()
				.filter((written) -> written.isBefore(untouchedBefore))
				.isPresent() || before.get(database).equals(committed(database)))) {
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

package io.github.litestream.boot.actuate;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

import io.github.litestream.Litestream;
import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.DatabaseListener;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaListener;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaStatus;
import io.github.litestream.replica.SnapshotInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Publishes Litestream's metric set to Micrometer, tagged {@code db} (the database's absolute
 * path) and, for replica meters, {@code replica} (the replica's name). Gauges read the engine
 * when scraped; timers and counters are driven by the engine's {@link DatabaseListener} and
 * {@link ReplicaListener} events; request counts come from {@link ReplicaOperationMetrics}.
 * The full list, with the names Prometheus gives them, is in {@code docs/observability.md}.
 *
 * <p>Databases are registered with the engine when replication starts, usually after the
 * registry was bound, so {@link #attach()} (idempotent) runs again once replication runs.
 */
public final class LitestreamMetrics implements MeterBinder {

	static final List<CheckpointMode> CHECKPOINT_MODES = List.of(CheckpointMode.PASSIVE, CheckpointMode.RESTART,
			CheckpointMode.TRUNCATE);

	private final Litestream litestream;

	private final ReplicaLagTracker lag;

	private final ReplicaOperationMetrics operations;

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	private final Set<Binding> bound = ConcurrentHashMap.newKeySet();

	/**
	 * Creates the binder.
	 * @param litestream the engine
	 * @param lag measures replica lag
	 * @param operations the request counts of the replica clients
	 */
	public LitestreamMetrics(Litestream litestream, ReplicaLagTracker lag, ReplicaOperationMetrics operations) {
		this.litestream = litestream;
		this.lag = lag;
		this.operations = operations;
		operations.onNewReplica(this::attach);
		litestream.onStarting(this::attach);
		litestream.addReplicationWaitListener(new ReplicationWaitMeters(this.registries));
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registries.add(registry);
		attach();
	}

	/**
	 * Registers the meters of databases, replicas and replica clients that appeared since the
	 * last call, in every bound registry.
	 */
	public synchronized void attach() {
		for (MeterRegistry registry : this.registries) {
			for (ReplicatedDatabase database : this.litestream.databases()) {
				if (this.bound.add(new Binding(registry, database))) {
					database.addListener(new DatabaseMeters(registry, database));
				}
				for (Replica replica : this.litestream.replicas(database)) {
					if (this.bound.add(new Binding(registry, replica))) {
						replica.addListener(new ReplicaMeters(registry, replica, this.lag));
						bindLease(registry, replica);
					}
				}
			}
			for (Map.Entry<ReplicaOperationMetrics.Key, ReplicaOperationMetrics.Counts> entry : this.operations.counts()
				.entrySet()) {
				if (this.bound.add(new Binding(registry, entry.getKey()))) {
					bindOperations(registry, entry.getKey(), entry.getValue());
				}
			}
		}
	}

	private static void bindOperations(MeterRegistry registry, ReplicaOperationMetrics.Key key,
			ReplicaOperationMetrics.Counts counts) {
		for (ReplicaOperation operation : ReplicaOperation.values()) {
			Tags tags = Tags.of("db", key.database(), "replica", key.replica(), "operation", operation.name());
			FunctionCounter.builder("litestream.replica.operations", counts, (c) -> c.requests(operation))
				.description("Requests made to the replica's storage")
				.tags(tags)
				.register(registry);
			FunctionCounter.builder("litestream.replica.operation.bytes", counts, (c) -> c.bytes(operation))
				.description("Payload bytes sent to or received from the replica's storage")
				.baseUnit(BaseUnits.BYTES)
				.tags(tags)
				.register(registry);
		}
	}

	private void bindLease(MeterRegistry registry, Replica replica) {
		if (this.litestream.lease(replica).isEmpty()) {
			return;
		}
		Tags tags = Tags.of("db", replica.database().path().toString(), "replica", replica.name());
		Gauge.builder("litestream.lease.fenced", replica,
				(r) -> this.litestream.lease(r).filter(LeaseStatus::fenced).isPresent() ? 1 : 0)
			.description("1 while this instance lost the replica's lease and writes nothing to it")
			.tags(tags)
			.register(registry);
		Gauge.builder("litestream.lease.epoch", replica,
				(r) -> this.litestream.lease(r).map(LeaseStatus::record).map(LeaseRecord::epoch).orElse(0L))
			.description("Epoch of the replica's lease, as this instance last saw it")
			.tags(tags)
			.register(registry);
	}

	private static double positionPart(Optional<Pos> position, ToDoubleFunction<Pos> part) {
		return position.map(part::applyAsDouble).orElse(Double.NaN);
	}

	/** The meters of one database in one registry. */
	private static final class DatabaseMeters implements DatabaseListener {

		private final MeterRegistry registry;

		private final Tags tags;

		private final Counter walBytes;

		private final Timer sync;

		private final Counter syncErrors;

		DatabaseMeters(MeterRegistry registry, ReplicatedDatabase database) {
			this.registry = registry;
			this.tags = Tags.of("db", database.path().toString());
			Gauge.builder("litestream.db.size", database, ReplicatedDatabase::size)
				.description("Size of the database file")
				.baseUnit(BaseUnits.BYTES)
				.tags(this.tags)
				.register(registry);
			Gauge.builder("litestream.wal.size", database, ReplicatedDatabase::walSize)
				.description("Size of the database's WAL file")
				.baseUnit(BaseUnits.BYTES)
				.tags(this.tags)
				.register(registry);
			Gauge.builder("litestream.shadow.wal.index", database, (db) -> positionPart(db.position(), Pos::index))
				.description("Index of the current shadow WAL file")
				.tags(this.tags)
				.register(registry);
			Gauge.builder("litestream.shadow.wal.size", database, (db) -> positionPart(db.position(), Pos::offset))
				.description("Size of the current shadow WAL file")
				.baseUnit(BaseUnits.BYTES)
				.tags(this.tags)
				.register(registry);
			Gauge.builder("litestream.shadow.wal.total.size", database, LitestreamMetrics::shadowWalSize)
				.description("Shadow WAL kept on disk for replicas that have not shipped it")
				.baseUnit(BaseUnits.BYTES)
				.tags(this.tags)
				.register(registry);
			this.walBytes = Counter.builder("litestream.wal.bytes")
				.description("WAL bytes copied into the shadow WAL")
				.baseUnit(BaseUnits.BYTES)
				.tags(this.tags)
				.register(registry);
			this.sync = Timer.builder("litestream.sync")
				.description("Monitor steps copying the WAL into the shadow WAL")
				.tags(this.tags)
				.register(registry);
			this.syncErrors = Counter.builder("litestream.sync.errors")
				.description("Failed monitor steps")
				.tags(this.tags)
				.register(registry);
			CHECKPOINT_MODES.forEach((mode) -> {
				checkpointTimer(mode);
				checkpointErrors(mode);
				checkpointsBlocked(mode);
			});
		}

		private Timer checkpointTimer(CheckpointMode mode) {
			return Timer.builder("litestream.checkpoint")
				.description("Checkpoints run by the engine")
				.tags(this.tags.and("mode", mode.name()))
				.register(this.registry);
		}

		private Counter checkpointErrors(CheckpointMode mode) {
			return Counter.builder("litestream.checkpoint.errors")
				.description("Checkpoints that did not run")
				.tags(this.tags.and("mode", mode.name()))
				.register(this.registry);
		}

		private Counter checkpointsBlocked(CheckpointMode mode) {
			return Counter.builder("litestream.checkpoint.blocked")
				.description("Checkpoints that could not restart the WAL because a read transaction pins it")
				.tags(this.tags.and("mode", mode.name()))
				.register(this.registry);
		}

		@Override
		public void onSync(Duration duration, long bytes) {
			this.sync.record(duration);
			this.walBytes.increment(bytes);
		}

		@Override
		public void onSyncError(Exception error) {
			this.syncErrors.increment();
		}

		@Override
		public void onCheckpoint(CheckpointMode mode, Duration duration) {
			checkpointTimer(mode).record(duration);
		}

		@Override
		public void onCheckpointError(CheckpointMode mode, Exception error) {
			checkpointErrors(mode).increment();
		}

		@Override
		public void onCheckpointBlocked(CheckpointMode mode) {
			checkpointsBlocked(mode).increment();
		}

	}

	/** The meters of one replica in one registry. */
	private static final class ReplicaMeters implements ReplicaListener {

		private final Timer snapshot;

		private final Counter validationsMatched;

		private final Counter validationsMismatched;

		private final Counter errors;

		ReplicaMeters(MeterRegistry registry, Replica replica, ReplicaLagTracker lag) {
			Tags tags = Tags.of("db", replica.database().path().toString(), "replica", replica.name());
			Gauge.builder("litestream.replica.wal.index", replica, (r) -> positionPart(r.position(), Pos::index))
				.description("WAL index the replica holds up to")
				.tags(tags)
				.register(registry);
			Gauge.builder("litestream.replica.wal.offset", replica, (r) -> positionPart(r.position(), Pos::offset))
				.description("Offset within that WAL index the replica holds up to")
				.tags(tags)
				.register(registry);
			Gauge.builder("litestream.replica.wal.released", replica, (r) -> (r.status().walReleasedAt() != null) ? 1 : 0)
				.description("1 while the engine keeps no WAL for this failing replica (past max-shadow-wal-size)")
				.tags(tags)
				.register(registry);
			Gauge.builder("litestream.replica.lag", replica, (r) -> lag.lag(r).toNanos() / 1e9)
				.description("Age of the oldest committed change the replica does not hold yet")
				.baseUnit("seconds")
				.tags(tags)
				.register(registry);
			this.snapshot = Timer.builder("litestream.snapshot")
				.description("Snapshots written to the replica")
				.tags(tags)
				.register(registry);
			this.validationsMatched = validations(registry, tags, "matched");
			this.validationsMismatched = validations(registry, tags, "mismatched");
			this.errors = Counter.builder("litestream.replica.errors")
				.description("Failed replica operations (sync, snapshot, retention)")
				.tags(tags)
				.register(registry);
		}

		private static Counter validations(MeterRegistry registry, Tags tags, String status) {
			return Counter.builder("litestream.replica.validations")
				.description("Replica validations by outcome")
				.tags(tags.and("status", status))
				.register(registry);
		}

		@Override
		public void onSnapshot(SnapshotInfo info, Duration duration) {
			this.snapshot.record(duration);
		}

		@Override
		public void onValidation(ReplicaStatus.ValidationResult result) {
			(result.matched() ? this.validationsMatched : this.validationsMismatched).increment();
		}

		@Override
		public void onError(Exception error) {
			this.errors.increment();
		}

	}

	private record Binding(MeterRegistry registry, Object target) {
	}

	private static double shadowWalSize(ReplicatedDatabase database) {
		try {
			return database.shadowWalSize();
		}
		catch (IOException ex) {
			return Double.NaN;
		}
	}

}

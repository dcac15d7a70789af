package io.github.litestream.boot.actuate;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.ToDoubleFunction;

import io.github.litestream.Litestream;
import io.github.litestream.db.CheckpointMode;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOperation;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Publishes Litestream's metric set to Micrometer, tagged {@code db} (the database's absolute
 * path) and, for replica meters, {@code replica} (the replica's name). Gauges read the engine
 * when scraped; timers and counters are driven by the engine's listener events (the meters of
 * one database are a {@link DatabaseMeters}, those of one replica a {@link ReplicaMeters}); request
 * counts come from {@link ReplicaOperationMetrics}.
 * The full list, with the names Prometheus gives them, is in {@code docs/observability.md}.
 *
 * <p>Databases are registered with the engine when replication starts, usually after the
 * registry was bound, so {@link #attach()} (idempotent) runs again once replication runs,
 * whenever a database is added while it runs, and whenever one is removed.
 *
 * <p>Tags stay bounded with thousands of databases: only the first
 * {@code litestream.metrics.max-databases} databases (in registration order) get meters tagged
 * with their path. The requests and bytes of the others are counted together under
 * {@code db="(other)"}, {@code replica="(other)"}, and {@code litestream.databases} counts
 * them all. A database that is no longer replicated loses its meters, and its place goes to the
 * next one added (one counted under {@code (other)} stays there, so that those counters only
 * grow).
 */
public final class LitestreamMetrics implements MeterBinder {

	static final List<CheckpointMode> CHECKPOINT_MODES = List.of(CheckpointMode.PASSIVE, CheckpointMode.RESTART,
			CheckpointMode.TRUNCATE);

	private final Litestream litestream;

	private final ReplicaLagTracker lag;

	private final ReplicaOperationMetrics operations;

	private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();

	private final Set<Binding> bound = ConcurrentHashMap.newKeySet();

	/** The tag of the meters that count the databases past the limit together. */
	static final String OTHER = "(other)";

	private final int maxDatabases;

	/** Paths of the databases with meters of their own. */
	private final Set<String> tagged = ConcurrentHashMap.newKeySet();

	/**
	 * Paths of the databases counted under {@link #OTHER}. One stays there while it is
	 * replicated, even when a place frees up, so that those counters never go down.
	 */
	private final Set<String> overflow = ConcurrentHashMap.newKeySet();

	/** What databases removed from {@link #overflow} had counted, kept in the (other) totals. */
	private final Map<ReplicaOperation, DoubleAdder> retiredRequests = new EnumMap<>(ReplicaOperation.class);

	private final Map<ReplicaOperation, DoubleAdder> retiredBytes = new EnumMap<>(ReplicaOperation.class);

	/**
	 * Creates the binder.
	 * @param litestream the engine
	 * @param lag measures replica lag
	 * @param operations the request counts of the replica clients
	 */
	public LitestreamMetrics(Litestream litestream, ReplicaLagTracker lag, ReplicaOperationMetrics operations) {
		this(litestream, lag, operations, LitestreamMetricsProperties.DEFAULT_MAX_DATABASES);
	}

	/**
	 * Creates the binder.
	 * @param litestream the engine
	 * @param lag measures replica lag
	 * @param operations the request counts of the replica clients
	 * @param maxDatabases how many databases get meters tagged with their path
	 */
	public LitestreamMetrics(Litestream litestream, ReplicaLagTracker lag, ReplicaOperationMetrics operations,
			int maxDatabases) {
		this.maxDatabases = maxDatabases;
		for (ReplicaOperation operation : ReplicaOperation.values()) {
			this.retiredRequests.put(operation, new DoubleAdder());
			this.retiredBytes.put(operation, new DoubleAdder());
		}
		this.litestream = litestream;
		this.lag = lag;
		this.operations = operations;
		operations.onNewReplica(this::attach);
		litestream.onStarting(this::attach);
		// At once, not when the next database is added: a deleted tenant's meters and counts go.
		litestream.onRemoved((database) -> attach());
		litestream.addReplicationWaitListener(new ReplicationWaitMeters(this.registries, this.tagged::contains));
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
		List<ReplicatedDatabase> databases = this.litestream.databases();
		forgetRemoved(databases);
		for (ReplicatedDatabase database : databases) {
			String path = database.path().toString();
			if (!this.tagged.contains(path) && !this.overflow.contains(path)) {
				(this.tagged.size() < this.maxDatabases ? this.tagged : this.overflow).add(path);
			}
		}
		for (MeterRegistry registry : this.registries) {
			if (this.bound.add(new Binding(registry, OTHER))) {
				bindTotals(registry);
			}
			for (ReplicatedDatabase database : databases) {
				if (!this.tagged.contains(database.path().toString())) {
					continue;
				}
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
				if (this.tagged.contains(entry.getKey().database()) && this.bound.add(new Binding(registry, entry.getKey()))) {
					bindOperations(registry, entry.getKey(), entry.getValue());
				}
			}
		}
	}

	/**
	 * Removes the meters of databases that are no longer replicated, freeing their places, and
	 * of those registered again at the same path since (whose meters would read the old,
	 * closed objects: Micrometer keeps the first gauge registered with an id).
	 */
	private void forgetRemoved(List<ReplicatedDatabase> databases) {
		Set<String> current = new HashSet<>();
		databases.forEach((database) -> current.add(database.path().toString()));
		Set<Object> live = Collections.newSetFromMap(new IdentityHashMap<>());
		for (ReplicatedDatabase database : databases) {
			live.add(database);
			live.addAll(this.litestream.replicas(database));
		}
		Set<String> replaced = new HashSet<>();
		for (Binding binding : this.bound) {
			if ((binding.target() instanceof ReplicatedDatabase || binding.target() instanceof Replica)
					&& !live.contains(binding.target())) {
				replaced.add(pathOf(binding.target()));
			}
		}
		for (String path : List.copyOf(this.tagged)) {
			if (!current.contains(path)) {
				this.tagged.remove(path);
				removeMeters(path);
				this.operations.remove(path);
			}
			else if (replaced.contains(path)) {
				removeMeters(path);
			}
		}
		for (String path : List.copyOf(this.overflow)) {
			if (!current.contains(path)) {
				this.overflow.remove(path);
				this.operations.remove(path).forEach((counts) -> {
					for (ReplicaOperation operation : ReplicaOperation.values()) {
						this.retiredRequests.get(operation).add(counts.requests(operation));
						this.retiredBytes.get(operation).add(counts.bytes(operation));
					}
				});
			}
		}
	}

	private void removeMeters(String path) {
		for (MeterRegistry registry : this.registries) {
			registry.getMeters()
				.stream()
				.filter((meter) -> path.equals(meter.getId().getTag("db")))
				.forEach(registry::remove);
		}
		this.bound.removeIf((binding) -> describes(binding.target(), path));
	}

	private static String pathOf(Object target) {
		return (target instanceof Replica replica) ? replica.database().path().toString()
				: ((ReplicatedDatabase) target).path().toString();
	}

	private static boolean describes(Object target, String path) {
		if (target instanceof ReplicatedDatabase database) {
			return database.path().toString().equals(path);
		}
		if (target instanceof Replica replica) {
			return replica.database().path().toString().equals(path);
		}
		return target instanceof ReplicaOperationMetrics.Key key && key.database().equals(path);
	}

	/** The count of all databases, and the requests of those without meters of their own. */
	private void bindTotals(MeterRegistry registry) {
		Gauge.builder("litestream.databases", this.litestream, (engine) -> engine.databases().size())
			.description("Databases being replicated")
			.register(registry);
		for (ReplicaOperation operation : ReplicaOperation.values()) {
			Tags tags = Tags.of("db", OTHER, "replica", OTHER, "operation", operation.name());
			FunctionCounter.builder("litestream.replica.operations", this, (m) -> m.untagged(operation, true))
				.description("Requests made to the replica's storage")
				.tags(tags)
				.register(registry);
			FunctionCounter.builder("litestream.replica.operation.bytes", this, (m) -> m.untagged(operation, false))
				.description("Payload bytes sent to or received from the replica's storage")
				.baseUnit(BaseUnits.BYTES)
				.tags(tags)
				.register(registry);
		}
	}

	// Under the lock of attach(), which moves a removed database's counts to the retired totals.
	private synchronized double untagged(ReplicaOperation operation, boolean requests) {
		double total = (requests ? this.retiredRequests : this.retiredBytes).get(operation).sum();
		for (Map.Entry<ReplicaOperationMetrics.Key, ReplicaOperationMetrics.Counts> entry : this.operations.counts()
			.entrySet()) {
			if (this.overflow.contains(entry.getKey().database())) {
				total += requests ? entry.getValue().requests(operation) : entry.getValue().bytes(operation);
			}
		}
		return total;
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

	/**
	 * A part of a position as a gauge's value.
	 * @param position a database's or replica's position
	 * @param part which part
	 * @return the part, or NaN while there is no position
	 */
	static double positionPart(Optional<Pos> position, ToDoubleFunction<Pos> part) {
		return position.map(part::applyAsDouble).orElse(Double.NaN);
	}

	private record Binding(MeterRegistry registry, Object target) {
	}

}

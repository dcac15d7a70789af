package io.github.litestream;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.github.litestream.Litestream.ReplicaValidation;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running part of an engine: each database's monitor, a {@link SerialLane} on the capture
 * pool that copies its WAL every monitor interval, and each replica's {@link ReplicaTask} on the
 * replica pool. Starts them for a database, stops them for one database or for all with the
 * final flush, and ships what was committed after that flush at close. Not thread-safe: the
 * engine calls it under its lock, except for the lookups of running tasks and the
 * {@link #stop(Withdrawn, Duration, boolean) stop} of lanes already withdrawn.
 */
final class ReplicationLanes {

	private static final Logger logger = LoggerFactory.getLogger(ReplicationLanes.class);

	private final RegisteredDatabases databases;

	private final EngineThreads threads;

	private final Clock clock;

	private final @Nullable ReplicaValidation validation;

	private final SynchronousReplication synchronous;

	private final LeaseKeeper leases;

	private final ShadowWalRelease shadowWal;

	/** Each database's monitor, while it runs. */
	private final Map<ReplicatedDatabase, SerialLane> monitors = new ConcurrentHashMap<>();

	private final Map<Replica, ReplicaTask> tasks = new ConcurrentHashMap<>();

	/**
	 * The databases whose lanes this run started, until withdrawn: not those registered during a
	 * start that a stop or close gave up, which were never opened.
	 */
	private final Set<ReplicatedDatabase> opened = ConcurrentHashMap.newKeySet();

	/** The previous run's tasks, until the next run's take them over (see {@link #open()}). */
	private final Map<Replica, ReplicaTask> previousTasks = new ConcurrentHashMap<>();

	private @Nullable EngineScheduler scheduler;

	ReplicationLanes(RegisteredDatabases databases, EngineThreads threads, Clock clock,
			@Nullable ReplicaValidation validation, SynchronousReplication synchronous, LeaseKeeper leases) {
		this.databases = databases;
		this.threads = threads;
		this.clock = clock;
		this.validation = validation;
		this.synchronous = synchronous;
		this.leases = leases;
		this.shadowWal = new ShadowWalRelease(clock);
	}

	EngineThreads threads() {
		return this.threads;
	}

	/**
	 * Readies the pools for a start: a stop keeps the replica lanes for the final shipping at
	 * close; a start again replaces them.
	 */
	void open() {
		this.tasks.values().forEach((task) -> task.shutdown(Duration.ZERO));
		// A step may still run (the stop timed out): the new tasks wait for it.
		this.previousTasks.clear();
		this.previousTasks.putAll(this.tasks);
		this.tasks.clear();
		this.opened.clear();
		if (this.scheduler == null || this.scheduler.isShutdown()) {
			this.scheduler = new EngineScheduler(this.threads);
		}
	}

	/** Schedules a database's monitor and starts its replicas' lanes. */
	void start(ReplicatedDatabase database, List<Replica> replicas) {
		EngineScheduler scheduler = Objects.requireNonNull(this.scheduler, "scheduler");
		String name = database.path().getFileName().toString();
		SerialLane monitor = scheduler.captureLane(name);
		this.monitors.put(database, monitor);
		this.opened.add(database);
		long interval = database.options().monitorInterval().toMillis();
		monitor.scheduleWithFixedDelay(() -> monitor(database), interval, interval, TimeUnit.MILLISECONDS);
		for (Replica replica : replicas) {
			ReplicaTask task = new ReplicaTask(database, replica, this.clock, this.validation,
					() -> releaseShadowWal(database), this.synchronous, this.leases.writable(replica));
			task.start(scheduler.replicaLane(name + "/" + replica.name()), scheduler.snapshotUploads(),
					this.previousTasks.get(replica));
			// Once started: a start that fails undoes (and a close shuts down) started tasks only.
			this.previousTasks.remove(replica);
			this.tasks.put(replica, task);
		}
	}

	/**
	 * Undoes a start that failed after {@link #open()}: stops the monitors and the replica lanes it
	 * started, without waiting, and shuts the previous run's down again (a stop may have left one
	 * running).
	 * @return whether every step had ended; otherwise one still runs, and a write of it may land
	 */
	boolean abandonStart() {
		this.monitors.values().forEach(SerialLane::shutdown);
		this.monitors.clear();
		this.opened.clear();
		Instant now = this.clock.instant();
		boolean idle = shutdownAll(this.tasks.values(), now);
		return shutdownAll(this.previousTasks.values(), now) && idle;
	}

	/** One monitor step: copies the WAL, and releases shadow WAL that a failing replica holds back. */
	private void monitor(ReplicatedDatabase database) {
		try {
			database.sync();
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("Could not copy the WAL of {}: {}", database.path(),
					Objects.toString(ex.getMessage(), ex.getClass().getSimpleName()));
		}
		// A failing replica holds the shadow WAL back, and it has no sync to release it after.
		try {
			List<Replica> replicas = this.databases.replicasOf(database);
			if (replicas != null && replicas.stream().anyMatch((replica) -> replica.position().isEmpty())) {
				releaseShadowWal(database);
			}
		}
		catch (RuntimeException ex) {
			// A scheduled task that throws is never run again: this database's monitor would stop.
			logger.warn("Could not release the shadow WAL of {}: {}", database.path(), ex.toString());
		}
	}

	private void releaseShadowWal(ReplicatedDatabase database) {
		List<Replica> replicas = this.databases.replicasOf(database);
		if (replicas != null) {
			this.shadowWal.release(database, replicas);
		}
	}

	/**
	 * Takes one database's lanes out of the running ones and stops its monitor's schedule, without
	 * waiting for anything: under the engine's lock, so that a start or stop no longer sees them,
	 * and quick, so that other databases' registrations do not wait behind this one's flush.
	 * @return the lanes, for {@link #stop(Withdrawn, Duration, boolean)} outside the lock
	 */
	Withdrawn withdraw(ReplicatedDatabase database, List<Replica> replicas) {
		boolean ran = this.opened.remove(database);
		SerialLane monitor = this.monitors.remove(database);
		if (monitor != null) {
			monitor.shutdown();
		}
		List<ReplicaTask> running = replicas.stream().map(this.tasks::remove).filter(Objects::nonNull).toList();
		return new Withdrawn(database, monitor, ran, running);
	}

	/**
	 * Stops a database's withdrawn lanes: with {@code flush}, a last WAL copy that every replica
	 * ships within the timeout; without, only the steps in progress finish (within the timeout).
	 * Needs no lock: nothing else reaches these lanes any more.
	 * @return whether every replica received every committed change, and whether every step
	 * finished
	 */
	Stopped stop(Withdrawn withdrawn, Duration timeout, boolean flush) {
		Instant deadline = this.clock.instant().plus(timeout);
		// Never opened in this run (registered while the engine was not running): nothing was
		// captured, so nothing can be left to ship.
		boolean flushed = !flush || !withdrawn.ran();
		if (withdrawn.monitor() != null) {
			awaitQuietly(withdrawn.monitor(), timeout);
		}
		if (flush && withdrawn.ran()) {
			// After a stop too: what was committed since it flushed is shipped now, not left behind.
			monitor(withdrawn.database());
			flushed = ReplicaFlush.flushAll(withdrawn.tasks(), this.clock, deadline);
		}
		boolean idle = shutdownAll(withdrawn.tasks(), deadline);
		this.synchronous.forget(withdrawn.database());
		return new Stopped(flushed, idle);
	}

	/**
	 * A database's lanes, taken out of the running ones.
	 * @param database the database
	 * @param monitor its monitor, or {@code null} if it was not running
	 * @param ran whether this run opened it (it may have stopped since)
	 * @param tasks its replicas' lanes that were running
	 */
	record Withdrawn(ReplicatedDatabase database, @Nullable SerialLane monitor, boolean ran,
			List<ReplicaTask> tasks) {
	}

	/**
	 * How a database's lanes stopped.
	 * @param flushed whether every replica received every committed change
	 * @param idle whether every step finished (otherwise one still runs in the background)
	 */
	record Stopped(boolean flushed, boolean idle) {
	}

	/** Shuts every task down by the deadline; whether all of them finished their step. */
	private boolean shutdownAll(Collection<ReplicaTask> tasks, Instant deadline) {
		boolean idle = true;
		for (ReplicaTask task : tasks) {
			idle &= task.shutdown(remaining(deadline));
		}
		return idle;
	}

	/**
	 * Stops every monitor, copies every database's WAL once more, has every replica ship
	 * everything by the deadline, and stops the replicas' schedules; their lanes stay, for
	 * {@link #shipCommitsAfterStop(Instant)}.
	 * @return {@code true} if every replica received every committed change
	 */
	boolean stopAndFlush(Instant deadline) {
		this.monitors.values().forEach(SerialLane::shutdown);
		this.monitors.values().forEach((monitor) -> awaitQuietly(monitor, remaining(deadline)));
		this.monitors.clear();
		this.databases.current().keySet().forEach(this::monitor);
		boolean flushed = ReplicaFlush.flushAll(this.tasks.values(), this.clock, deadline);
		this.tasks.values().forEach(ReplicaTask::stopSchedule);
		return flushed;
	}

	/**
	 * Ships what was committed after {@link #stopAndFlush(Instant)}: an application may still
	 * write between the stop and the closing of its pool (in-flight requests, other beans'
	 * destroy methods). Without this those commits would reach the replica only at the next
	 * start, which on an ephemeral disk never comes. Bounded by the stop's deadline; then the
	 * replicas' lanes shut down.
	 * @return whether every replica's step finished (otherwise one still runs in the background)
	 */
	boolean shipCommitsAfterStop(Instant deadline) {
		// Not those registered during a start given up since: never opened, they hold nothing to ship.
		List<Map.Entry<ReplicatedDatabase, List<Replica>>> ran = this.databases.current()
			.entrySet()
			.stream()
			.filter((entry) -> this.opened.contains(entry.getKey()))
			.toList();
		ran.forEach((entry) -> monitor(entry.getKey()));
		boolean behind = ran.stream()
			.anyMatch((entry) -> entry.getValue()
				.stream()
				.anyMatch((replica) -> !replica.position().equals(entry.getKey().position())));
		if (behind) {
			boolean flushed = this.clock.instant().isBefore(deadline)
					&& ReplicaFlush.flushAll(this.tasks.values(), this.clock, deadline);
			if (!flushed) {
				logger.warn("Commits made after shutdown began did not reach every replica within the shutdown "
						+ "timeout; they stay in the local shadow WAL and are shipped at the next start");
			}
		}
		return shutdownAll(this.tasks.values(), deadline);
	}

	/**
	 * How many of the databases this run opened have a replica behind their last copied commit.
	 * @return the count
	 */
	long databasesBehind() {
		return this.databases.current()
			.entrySet()
			.stream()
			.filter((entry) -> this.opened.contains(entry.getKey()))
			.filter((entry) -> entry.getValue()
				.stream()
				.anyMatch((replica) -> !replica.position().equals(entry.getKey().position())))
			.count();
	}

	/** Closes the replicas' clients and the pools; the databases are closed too. */
	void close() {
		this.opened.clear();
		this.tasks.values().forEach(ReplicaTask::closeClient);
		if (this.scheduler != null) {
			this.scheduler.shutdown();
		}
	}

	/** The lanes of those replicas that run. */
	List<ReplicaTask> running(Collection<Replica> replicas) {
		return replicas.stream().map(this.tasks::get).filter(Objects::nonNull).toList();
	}

	int replicaCount() {
		return this.tasks.size();
	}

	ReplicaTask task(Replica replica) {
		ReplicaTask task = this.tasks.get(replica);
		if (task == null) {
			throw new IllegalStateException("Replica '" + replica.name() + "' is not running");
		}
		return task;
	}

	private Duration remaining(Instant deadline) {
		return ReplicaFlush.remaining(this.clock, deadline);
	}

	private static void awaitQuietly(SerialLane lane, Duration timeout) {
		try {
			lane.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}

package io.github.litestream.boot.actuate;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.github.litestream.Litestream;
import io.github.litestream.boot.autoconfigure.LitestreamStandbys;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code litestream} actuator endpoint: where every database and replica stands, what a
 * replica holds, and a way to sync or snapshot now.
 *
 * <ul>
 * <li>{@code GET /actuator/litestream}: the databases and their replicas, a page at a time
 * ({@code ?page=0&size=100}, at most {@value #MAX_PAGE_SIZE} a page) and optionally only those
 * whose path contains {@code filter}, or only those with a replica in trouble
 * ({@code ?problems=true}: failing, or a validation that did not match), so thousands of
 * databases stay readable.</li>
 * <li>{@code GET /actuator/litestream/{db}}: one database plus, per replica, its generations,
 * snapshots and WAL segments (what Litestream's {@code generations}, {@code snapshots} and
 * {@code wal} commands list). {@code db} is the database's file name or its full path.</li>
 * <li>{@code POST /actuator/litestream/{db}/{action}} with {@code action} {@code sync} or
 * {@code snapshot}, and an optional JSON body {@code {"replica": "name"}} to pick one replica
 * (all replicas otherwise): runs it now and returns each replica's resulting position.</li>
 * <li>The same with {@code restore} (body keys {@code replica}, {@code timestamp},
 * {@code index}, {@code generation}: a point in time into a new side file) and
 * {@code validate}; both off unless enabled ({@link LitestreamEndpointProperties}), see
 * {@link LitestreamRecoveryOperations}.</li>
 * </ul>
 * Replica locations come from {@code ReplicaClient#location()}, which never holds credentials.
 */
@Endpoint(id = "litestream")
public final class LitestreamEndpoint {

	/** Databases on a page unless {@code size} says otherwise. */
	static final int DEFAULT_PAGE_SIZE = 100;

	/** The largest page: a page is described in one response. */
	static final int MAX_PAGE_SIZE = 1000;

	private final Litestream litestream;

	private final DatabaseDescriptions descriptions;

	private final DatabaseLookup lookup;

	private final ReplicaContentsReader contents;

	private final LitestreamRecoveryOperations recovery;

	private final @Nullable LitestreamStandbys standbys;

	/**
	 * Creates the endpoint with its recovery operations disabled.
	 * @param litestream the engine
	 * @param lag measures replica lag
	 */
	public LitestreamEndpoint(Litestream litestream, ReplicaLagTracker lag) {
		this(litestream, lag, new LitestreamEndpointProperties());
	}

	/**
	 * Creates the endpoint.
	 * @param litestream the engine
	 * @param lag measures replica lag
	 * @param properties which recovery operations are enabled
	 */
	public LitestreamEndpoint(Litestream litestream, ReplicaLagTracker lag, LitestreamEndpointProperties properties) {
		this(litestream, lag, properties, null);
	}

	/**
	 * Creates the endpoint, listing the databases this instance waits to take over as well.
	 * @param litestream the engine
	 * @param lag measures replica lag
	 * @param properties which recovery operations are enabled
	 * @param standbys the standby databases, or {@code null}
	 */
	public LitestreamEndpoint(Litestream litestream, ReplicaLagTracker lag, LitestreamEndpointProperties properties,
			@Nullable LitestreamStandbys standbys) {
		this.standbys = standbys;
		this.litestream = litestream;
		this.descriptions = new DatabaseDescriptions(litestream, lag);
		this.lookup = new DatabaseLookup(litestream);
		this.contents = new ReplicaContentsReader();
		this.recovery = new LitestreamRecoveryOperations(litestream, properties, Clock.systemUTC());
	}

	/**
	 * The first page of databases and their replicas.
	 * @return the summary
	 */
	public LitestreamDescriptor litestream() {
		return litestream(null, null, null, null);
	}

	/**
	 * A page of the databases and their replicas, in registration order.
	 * @param filter only databases whose path contains this text, or {@code null} for all
	 * @param problems {@code true} for only databases with a replica failing or whose last
	 * validation did not match
	 * @param page the page, from 0
	 * @param size databases on a page, 1 to {@value #MAX_PAGE_SIZE}; {@value #DEFAULT_PAGE_SIZE}
	 * when {@code null}
	 * @return the page, with how many databases there are and how many matched
	 */
	@ReadOperation
	public LitestreamDescriptor litestream(@Nullable String filter, @Nullable Boolean problems, @Nullable Integer page,
			@Nullable Integer size) {
		int pageSize = (size != null) ? size : DEFAULT_PAGE_SIZE;
		int pageNumber = (page != null) ? page : 0;
		if (pageSize < 1 || pageSize > MAX_PAGE_SIZE || pageNumber < 0) {
			throw new InvalidEndpointRequestException("size must be 1 to " + MAX_PAGE_SIZE
					+ " and page 0 or more, not size=" + size + ", page=" + page, "Invalid page");
		}
		List<ReplicatedDatabase> all = this.litestream.databases();
		List<ReplicatedDatabase> matched = all.stream()
			.filter((database) -> filter == null || database.path().toString().contains(filter))
			.filter((database) -> !Boolean.TRUE.equals(problems) || hasProblem(database))
			.toList();
		List<DatabaseDescriptor> databases = matched.stream()
			.skip((long) pageNumber * pageSize)
			.limit(pageSize)
			.map(this.descriptions::describe)
			.toList();
		return new LitestreamDescriptor(this.litestream.isRunning(), all.size(), matched.size(), pageNumber, pageSize,
				databases, standbys());
	}

	private List<StandbyDescriptor> standbys() {
		if (this.standbys == null) {
			return List.of();
		}
		Instant now = Instant.now();
		return this.standbys.all()
			.stream()
			.filter((database) -> !database.isPrimary())
			.map((database) -> StandbyDescriptor.of(database, now))
			.toList();
	}

	private boolean hasProblem(ReplicatedDatabase database) {
		return this.litestream.replicas(database).stream().map(Replica::status).anyMatch((status) -> status.failingSince() != null
				|| (status.lastValidation() != null && !status.lastValidation().matched()));
	}

	/**
	 * One database with the contents of each replica.
	 * @param db the database's file name or full path
	 * @param path the database's full path, to tell databases of the same file name apart
	 * (over HTTP {@code db} is one path segment)
	 * @return the details, or {@code null} (404) for an unknown database
	 */
	@ReadOperation
	public @Nullable DatabaseDetailDescriptor database(@Selector String db, @Nullable String path) {
		ReplicatedDatabase database = this.lookup.find(db, path);
		if (database == null) {
			return null;
		}
		List<ReplicaContentsDescriptor> replicas = this.litestream.replicas(database)
			.stream()
			.map(this.contents::read)
			.toList();
		return new DatabaseDetailDescriptor(this.descriptions.describe(database), replicas);
	}

	/**
	 * Runs an action now: {@code sync} or {@code snapshot} (waiting up to a minute), or, when
	 * enabled, {@code restore} (into a new side file) or {@code validate}.
	 * @param db the database's file name or full path
	 * @param action {@code sync}, {@code snapshot}, {@code restore} or {@code validate}
	 * @param replica the replica's name, or {@code null} for all of the database's replicas
	 * (for a restore: the one whose newest backup is the most recent)
	 * @param timestamp for a restore: the state as of this RFC 3339 time
	 * @param index for a restore: up to this WAL index, in hex
	 * @param generation for a restore: from this generation
	 * @param path the database's full path, to tell databases of the same file name apart
	 * @return the outcome per replica, or the restored side file
	 */
	@WriteOperation
	public OperationResponseBody run(@Selector String db, @Selector String action, @Nullable String replica,
			@Nullable String timestamp, @Nullable String index, @Nullable String generation, @Nullable String path) {
		if (!List.of("sync", "snapshot", "restore", "validate").contains(action)) {
			throw new InvalidEndpointRequestException(
					"Unknown action '" + action + "': use 'sync', 'snapshot', 'restore' or 'validate'", "Unknown action");
		}
		ReplicatedDatabase database = this.lookup.find(db, path);
		if (database == null) {
			throw new InvalidEndpointRequestException("No replicated database named '" + db + "'"
					+ ((path != null) ? " at " + path : ""), "Unknown database");
		}
		List<Replica> replicas = this.litestream.replicas(database)
			.stream()
			.filter((candidate) -> replica == null || candidate.name().equals(replica))
			.toList();
		if (replicas.isEmpty()) {
			throw new InvalidEndpointRequestException(
					"Database '" + db + "' has no replica named '" + replica + "'", "Unknown replica");
		}
		if ("restore".equals(action)) {
			return this.recovery.restore(database, replicas, timestamp, index, generation);
		}
		if ("validate".equals(action)) {
			return this.recovery.validate(database, replicas);
		}
		List<ActionResultDescriptor> results = new ArrayList<>();
		for (Replica target : replicas) {
			results.add("sync".equals(action) ? this.descriptions.run(target, this.litestream::syncNow)
					: this.descriptions.run(target, this.litestream::snapshotNow));
		}
		return new ActionDescriptor(database.path().toString(), action, results);
	}

	static @Nullable String format(@Nullable Pos pos) {
		return (pos != null) ? pos.toString() : null;
	}

	/**
	 * The endpoint's main response.
	 *
	 * @param running whether replication is running
	 * @param databases every replicated database
	 * @param standbys the databases this instance waits to take over
	 */
	public record LitestreamDescriptor(boolean running, int total, int matched, int page, int size,
			List<DatabaseDescriptor> databases, List<StandbyDescriptor> standbys) implements OperationResponseBody {
	}

	/**
	 * One database.
	 *
	 * @param path the database file
	 * @param generation the current generation, or {@code null} before the first sync
	 * @param position the current position, {@code <generation>/<index>:<offset>} in hex
	 * @param size the database file's size in bytes
	 * @param walSize the WAL file's size in bytes
	 * @param lastCheckpoint when the engine last checkpointed
	 * @param checkpointsHeldSince since when a snapshot upload has held checkpoints back, once
	 * that lasts longer than {@code checkpoint-interval} (the WAL grows until it ends); otherwise
	 * {@code null}
	 * @param staleSince since when its file is known to be stale (another instance wrote to a
	 * replica since it was last replicated): nothing of it is replicated; otherwise {@code null}
	 * @param staleReason why it is stale, when it is
	 * @param awaitingComparisonSince since when its file waits to be compared with a replica
	 * before anything of it is replicated (that replica's store has not answered yet): nothing is
	 * known to be wrong, but nothing is written to any of its replicas; otherwise {@code null}
	 * @param awaitingComparisonWith the replica it waits for, when it waits
	 * @param replicas its replicas
	 */
	public record DatabaseDescriptor(String path, @Nullable String generation, @Nullable String position, long size,
			long walSize, @Nullable Instant lastCheckpoint, @Nullable Instant checkpointsHeldSince,
			@Nullable Instant staleSince, @Nullable String staleReason, @Nullable Instant awaitingComparisonSince,
			@Nullable String awaitingComparisonWith, List<ReplicaDescriptor> replicas) {
	}

	/**
	 * One replica.
	 *
	 * @param name its name
	 * @param type its backend type ({@code file}, {@code s3})
	 * @param location where it lives, without credentials
	 * @param position what it holds up to, or {@code null} when unknown (before the first
	 * sync, after a failure)
	 * @param lagSeconds age of the oldest committed change it does not hold yet (see
	 * {@link ReplicaLagTracker})
	 * @param lastSync when the last sync succeeded
	 * @param lastError the last failure's message
	 * @param lastErrorAt when the last failure happened
	 * @param failingSince when the current run of failures began; {@code null} while healthy
	 * @param snapshotCount snapshots in the current generation
	 * @param latestSnapshot when the newest snapshot was stored
	 * @param lastValidation the last validation, if validation is enabled
	 * @param encryption the replica's age encryption, or {@code null} when it has none
	 * @param lease the replica's lease, or {@code null} when it is not leased
	 */
	public record ReplicaDescriptor(String name, String type, String location, @Nullable String position,
			double lagSeconds, @Nullable Instant lastSync, @Nullable String lastError, @Nullable Instant lastErrorAt,
			@Nullable Instant failingSince, int snapshotCount, @Nullable Instant latestSnapshot,
			@Nullable ValidationDescriptor lastValidation, @Nullable EncryptionDescriptor encryption,
			@Nullable LeaseDescriptor lease) {
	}

	/**
	 * How a replica is encrypted: public keys and a count, never an identity.
	 *
	 * @param recipients the public keys new objects are encrypted to ({@code age1…})
	 * @param identities how many identities can decrypt (0: the replica can't be restored here)
	 */
	public record EncryptionDescriptor(List<String> recipients, int identities) {
	}

	/**
	 * The outcome of a validation.
	 *
	 * @param at when it finished
	 * @param position the position compared
	 * @param matched whether the restored replica matched the database
	 * @param detail a summary
	 */
	public record ValidationDescriptor(Instant at, @Nullable String position, boolean matched, String detail) {
	}

	/**
	 * One database with what each of its replicas holds.
	 *
	 * @param database the database and its replicas' status
	 * @param replicas the contents of each replica
	 */
	public record DatabaseDetailDescriptor(DatabaseDescriptor database, List<ReplicaContentsDescriptor> replicas) implements OperationResponseBody {
	}

	/**
	 * The result of a sync or snapshot request.
	 *
	 * @param database the database file
	 * @param action {@code sync} or {@code snapshot}
	 * @param replicas the outcome per replica
	 */
	public record ActionDescriptor(String database, String action, List<ActionResultDescriptor> replicas) implements OperationResponseBody {
	}

	/**
	 * The outcome on one replica.
	 *
	 * @param name the replica's name
	 * @param position its position afterwards
	 * @param error why it failed, or {@code null}
	 */
	public record ActionResultDescriptor(String name, @Nullable String position, @Nullable String error) {
	}

	/**
	 * What one replica holds.
	 *
	 * @param name the replica's name
	 * @param generations its generations, oldest first
	 * @param snapshots its snapshots, by generation and index
	 * @param walSegments its newest WAL segments, by generation, index and offset
	 * @param walSegmentsOmitted how many older WAL segments were left out of the list
	 * @param error why the replica could not be listed, or {@code null}
	 */
	public record ReplicaContentsDescriptor(String name, List<GenerationDescriptor> generations,
			List<SnapshotDescriptor> snapshots, List<WalSegmentDescriptor> walSegments, int walSegmentsOmitted,
			@Nullable String error) {
	}

	/**
	 * One generation of a replica.
	 *
	 * @param generation its name
	 * @param current whether it is the database's current generation
	 * @param start when its oldest object was stored
	 * @param end when its newest object was stored
	 * @param snapshotCount its snapshots
	 * @param walSegmentCount its WAL segments
	 */
	public record GenerationDescriptor(String generation, boolean current, @Nullable Instant start,
			@Nullable Instant end, int snapshotCount, int walSegmentCount) {
	}

	/**
	 * One snapshot.
	 *
	 * @param generation its generation
	 * @param index the WAL index it starts, in hex
	 * @param size its compressed size in bytes
	 * @param createdAt when it was stored
	 */
	public record SnapshotDescriptor(String generation, String index, long size, Instant createdAt) {
	}

	/**
	 * One WAL segment.
	 *
	 * @param generation its generation
	 * @param index its WAL index, in hex
	 * @param offset where its bytes start within that index, in hex
	 * @param size its compressed size in bytes
	 * @param createdAt when it was stored
	 */
	public record WalSegmentDescriptor(String generation, String index, String offset, long size, Instant createdAt) {
	}

}

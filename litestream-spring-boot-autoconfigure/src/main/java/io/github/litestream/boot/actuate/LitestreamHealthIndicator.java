package io.github.litestream.boot.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.litestream.AwaitedComparison;
import io.github.litestream.Litestream;
import io.github.litestream.StaleFile;
import io.github.litestream.boot.autoconfigure.LitestreamStandbys;
import io.github.litestream.boot.autoconfigure.StandbyDatabase;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.db.SyncFailure;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaStatus;
import io.github.litestream.replica.ReplicaStatus.ValidationResult;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of replication: UP while every replica keeps up with its database, DOWN when one has
 * been failing longer than {@code litestream.health.max-failure-duration} or lags more than
 * {@code litestream.health.max-lag} (each at least twice the replica's sync interval), when its
 * last validation found that it does not restore to what the database held, and DOWN while
 * replication is not running.
 *
 * <p>Details list every database and replica with its position, lag and last error, and
 * {@code problems} says, in words, which replica is in trouble and why. With more databases
 * than {@code litestream.health.max-details}, the status still weighs every replica, but the
 * details only count them ({@code summary}) and list the first problems and warnings up to
 * that number: the {@code litestream} endpoint pages through the rest. A replica outage never
 * stops the application's writes; this indicator is how it becomes visible, for example in a
 * Kubernetes readiness group (see {@code docs/observability.md}). {@code warnings} says which
 * database's WAL grows past {@code max-checkpoint-page-count} because a long read transaction
 * keeps checkpoints from restarting it, or because a snapshot upload has held checkpoints back
 * longer than {@code checkpoint-interval}: worth knowing, but no replica is failing, so the status
 * does not change. A leased replica's details show its lease (role, holder, epoch, expiry), and a
 * fenced one is a problem: this instance writes nothing to it; when another instance took the
 * lease, the problem names that instance, as this one is no longer the primary. A database
 * whose file was found stale when the engine first took a replica's lease (another instance
 * wrote to the replica since the file was last replicated) is a problem too: nothing of it is
 * replicated until the instance restarts with restore-on-boot, which sets the file aside. A database
 * this instance waits to take over ({@code standby=true}) is listed under {@code standbys} with
 * the lease's holder and how far behind its follower is.
 */
public final class LitestreamHealthIndicator extends AbstractHealthIndicator {

	private final Litestream litestream;

	private final ReplicaLagTracker lag;

	private final LitestreamHealthProperties properties;

	private final Clock clock;

	private final @Nullable LitestreamStandbys standbys;

	/**
	 * Creates the indicator.
	 * @param litestream the engine
	 * @param lag measures replica lag
	 * @param properties the thresholds
	 * @param clock the clock failure durations are measured with
	 */
	public LitestreamHealthIndicator(Litestream litestream, ReplicaLagTracker lag,
			LitestreamHealthProperties properties, Clock clock) {
		this(litestream, lag, properties, clock, null);
	}

	/**
	 * Creates the indicator, reporting the databases this instance waits to take over as well.
	 * @param litestream the engine
	 * @param lag measures replica lag
	 * @param properties the thresholds
	 * @param clock the clock failure durations are measured with
	 * @param standbys the standby databases, or {@code null}
	 */
	public LitestreamHealthIndicator(Litestream litestream, ReplicaLagTracker lag,
			LitestreamHealthProperties properties, Clock clock, @Nullable LitestreamStandbys standbys) {
		super("Litestream health check failed");
		this.standbys = standbys;
		this.litestream = litestream;
		this.lag = lag;
		this.properties = properties;
		this.clock = clock;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		List<String> problems = new ArrayList<>();
		List<String> warnings = new ArrayList<>();
		if (!this.litestream.isRunning()) {
			problems.add("replication is not running");
		}
		List<ReplicatedDatabase> all = this.litestream.databases();
		int maxDetails = this.properties.getMaxDetails();
		boolean itemized = all.size() <= maxDetails;
		Map<String, Object> databases = new LinkedHashMap<>();
		int replicaCount = 0;
		int replicasWithProblems = 0;
		for (ReplicatedDatabase database : all) {
			Map<String, Object> replicas = new LinkedHashMap<>();
			for (Replica replica : this.litestream.replicas(database)) {
				int before = problems.size();
				replicas.put(replica.name(), check(replica, problems));
				replicaCount++;
				replicasWithProblems += (problems.size() > before) ? 1 : 0;
			}
			SyncFailure syncFailure = checkSync(database, problems);
			StaleFile stale = this.litestream.staleFile(database).orElse(null);
			if (stale != null) {
				problems.add(database.path() + " is stale and is not replicated: " + stale.reason()
						+ ". Commits made here reach no replica; to fix it, " + stale.fix());
			}
			// Nothing is known to be wrong yet, but nothing is replicated: a warning, not a problem.
			AwaitedComparison awaited = this.litestream.awaitedComparison(database).orElse(null);
			if (awaited != null) {
				warnings.add(awaited.describe());
			}
			if (itemized) {
				Map<String, Object> details = new LinkedHashMap<>();
				details.put("position", database.position().map(Pos::toString).orElse(null));
				if (stale != null) {
					details.put("staleSince", stale.since());
					details.put("staleReason", stale.reason());
				}
				if (awaited != null) {
					details.put("awaitingComparisonSince", awaited.since());
					details.put("awaitingComparisonWith", awaited.replica());
				}
				if (syncFailure != null) {
					details.put("syncFailingSince", syncFailure.since());
					details.put("lastSyncError", syncFailure.error());
				}
				details.put("replicas", replicas);
				databases.put(database.path().toString(), details);
			}
			checkWal(database, warnings);
		}
		Map<String, Object> standbyDetails = checkStandbys(problems);
		if (!standbyDetails.isEmpty()) {
			builder.withDetail("standbys", standbyDetails);
		}
		if (problems.isEmpty()) {
			builder.up();
		}
		else {
			builder.down().withDetail("problems", atMost(problems, maxDetails));
		}
		if (!warnings.isEmpty()) {
			builder.withDetail("warnings", atMost(warnings, maxDetails));
		}
		if (itemized) {
			builder.withDetail("databases", databases);
		}
		else {
			builder.withDetail("summary", Map.of("databases", all.size(), "replicas", replicaCount,
					"replicasWithProblems", replicasWithProblems, "details",
					"more than " + maxDetails + " databases (litestream.health.max-details): "
							+ "GET /actuator/litestream?problems=true lists those in trouble"));
		}
	}

	/**
	 * The databases this instance waits to take over. Waiting is no problem (readiness says that
	 * a standby does not serve); a standby that cannot take over, or cannot follow its replica for
	 * longer than the failure threshold, is.
	 */
	private Map<String, Object> checkStandbys(List<String> problems) {
		Map<String, Object> details = new LinkedHashMap<>();
		if (this.standbys == null) {
			return details;
		}
		Instant now = this.clock.instant();
		for (StandbyDatabase database : this.standbys.all()) {
			if (database.isPrimary()) {
				continue;
			}
			StandbyDescriptor standby = StandbyDescriptor.of(database, now);
			details.put(standby.path(), standby);
			if (standby.role().equals("failed")) {
				problems.add("the standby of " + standby.path() + " (" + standby.property() + ") cannot take over: "
						+ standby.lastError());
			}
			Instant failingSince = database.status().map((status) -> status.follower().failingSince()).orElse(null);
			if (failingSince != null && Duration.between(failingSince, now)
				.compareTo(this.properties.getMaxFailureDuration()) > 0) {
				problems.add("the standby of " + standby.path() + " has failed to follow its replica since "
						+ failingSince + ": " + standby.lastError());
			}
		}
		return details;
	}

	/** A bounded list: the first {@code max} entries, and how many more there are. */
	private static List<String> atMost(List<String> entries, int max) {
		if (entries.size() <= max) {
			return entries;
		}
		List<String> first = new ArrayList<>(entries.subList(0, max));
		first.add("... and " + (entries.size() - max) + " more");
		return first;
	}

	/**
	 * A database whose monitor steps fail copies no new commit, so no replica can receive one,
	 * while its replicas look caught up with what was copied before: no lag, no failure of theirs.
	 */
	private @Nullable SyncFailure checkSync(ReplicatedDatabase database, List<String> problems) {
		SyncFailure failure = database.syncFailure();
		Duration maxFailure = max(this.properties.getMaxFailureDuration(),
				database.options().monitorInterval().multipliedBy(2));
		if (failure != null && Duration.between(failure.since(), this.clock.instant()).compareTo(maxFailure) > 0) {
			problems.add("the WAL of " + database.path() + " has not been copied for replication since "
					+ failure.since() + " (longer than " + maxFailure + "), so new commits reach no replica: "
					+ failure.error());
		}
		return failure;
	}

	private static void checkWal(ReplicatedDatabase database, List<String> warnings) {
		int maxPages = database.options().maxCheckpointPageCount();
		database.pinnedWal()
			.filter((pinned) -> pinned.walFrames() >= maxPages)
			.ifPresent((pinned) -> warnings.add("the WAL of " + database.path() + " holds " + pinned.walFrames()
					+ " pages (" + String.format(Locale.ROOT, "%.1f", database.walSize() / 1048576.0) + " MiB), at least max-checkpoint-page-count ("
					+ maxPages + "): a long-running read transaction (of the application or another process) has "
					+ "kept checkpoints from restarting it since " + pinned.since() + "; the WAL grows until that "
					+ "transaction ends, and the engine tries again at every sync without holding up writes"));
		database.checkpointsHeld()
			.ifPresent((held) -> warnings.add("checkpoints of " + database.path() + " have been held back since "
					+ held.since() + " (longer than its checkpoint-interval, " + held.threshold() + ") by a snapshot "
					+ "upload that still reads the database; the WAL ("
					+ String.format(Locale.ROOT, "%.1f", database.walSize() / 1048576.0)
					+ " MiB) grows with every write until the upload ends, while WAL shipping goes on"));
	}

	private Map<String, Object> check(Replica replica, List<String> problems) {
		ReplicaStatus status = replica.status();
		Duration lag = this.lag.lag(replica);
		Duration minimum = replica.options().syncInterval().multipliedBy(2);
		Duration maxFailure = max(this.properties.getMaxFailureDuration(), minimum);
		Duration maxLag = max(this.properties.getMaxLag(), minimum);
		String where = "replica '" + replica.name() + "' of " + replica.database().path();
		Instant failingSince = status.failingSince();
		if (failingSince != null && Duration.between(failingSince, this.clock.instant()).compareTo(maxFailure) > 0) {
			problems.add(where + " has been failing since " + failingSince + " (longer than " + maxFailure + "): "
					+ status.lastError());
		}
		if (lag.compareTo(maxLag) > 0) {
			problems.add(where + " lags " + lag.toSeconds() + " s behind the database (more than " + maxLag + ")");
		}
		ValidationResult validation = status.lastValidation();
		if (validation != null && !validation.matched()) {
			// Stays until a later validation matches: a replica that restores to something else
			// is a backup that does not hold the data, whatever its lag says.
			problems.add(where + " does not restore to what the database held when validated at " + validation.at()
					+ " (" + validation.detail() + "); a snapshot (the litestream endpoint's snapshot action) starts "
					+ "a new restore point, and the next validation checks it");
		}
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("type", replica.client().type());
		details.put("location", replica.client().location());
		details.put("position", LitestreamEndpoint.format(status.position()));
		details.put("lagSeconds", lag.toMillis() / 1000.0);
		details.put("lastSync", status.lastSyncAt());
		if (failingSince != null) {
			details.put("failingSince", failingSince);
			details.put("lastError", status.lastError());
		}
		if (status.walReleasedAt() != null) {
			// A detail, not a problem of its own: the failure that led here already is one.
			details.put("walReleasedAt", status.walReleasedAt());
		}
		if (validation != null) {
			details.put("lastValidation", Map.of("at", validation.at(), "matched", validation.matched()));
		}
		this.litestream.lease(replica).ifPresent((lease) -> {
			details.put("lease", LeaseDescriptor.of(lease));
			if (lease.fenced() && lease.lost() && lease.record() != null) {
				// Deposed: its commits from now on stay local, and whoever reads the health must know who writes.
				problems.add(where + " is leased to another instance, " + lease.record().holder() + " (epoch "
						+ lease.record().epoch() + "): this instance is no longer its primary and writes nothing to "
						+ "it until it restarts, so commits made here are not replicated. Restart this instance: "
						+ "at its start, restore-on-boot sets its stale database file aside and restores the "
						+ "replica's newest state");
			}
			else if (lease.fenced()) {
				problems.add(where + " is fenced (" + lease.fencedReason() + "): nothing is written to it until this "
						+ "instance holds its lease again");
			}
		});
		return details;
	}

	private static Duration max(Duration a, Duration b) {
		return (a.compareTo(b) >= 0) ? a : b;
	}

}

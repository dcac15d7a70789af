package io.github.litestream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.github.litestream.boot.autoconfigure.ReplicaSettings;
import io.github.litestream.db.FollowerCopyMark;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.restore.NoMatchingBackupException;
import io.github.litestream.restore.ReplicaChooser;
import io.github.litestream.restore.ReplicaChooser.Candidate;
import io.github.litestream.restore.RestoreException;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.RestorePlan;
import io.github.litestream.restore.RestorePlanner;
import io.github.litestream.restore.RestoreResult;
import io.github.litestream.restore.Restorer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code restore}: Litestream's restore, with its flags, through the engine's
 * {@link Restorer}; {@code -dry-run} prints the plan and writes nothing. Without
 * {@code -replica}, the replica whose newest backup is the most recent is read
 * ({@link ReplicaChooser}), as on boot. Refusals (an existing output, an unknown replica, a
 * timestamp before the first backup, a missing index) are one line naming what to change,
 * and leave nothing behind.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
		description = { "Restores a database from its replicas (or from one replica URL) into a new file.",
				"Without -generation, -index or -timestamp, the latest state of the most recent replica." })
final class RestoreCommand extends CliCommand {

	@Mixin
	TargetOptions options;

	@Option(names = { "-o", "--o" }, paramLabel = "PATH",
			description = "Output path of the restored database; must not exist. Defaults to DB_PATH.")
	@Nullable Path output;

	@Option(names = { "-generation", "--generation" }, paramLabel = "NAME",
			description = "Restore from this generation. Defaults to the one with the latest data.")
	@Nullable String generation;

	@Option(names = { "-index", "--index" }, paramLabel = "HEX", converter = Converters.Index.class,
			description = "Restore up to this WAL index (hex, inclusive). Defaults to the highest one.")
	@Nullable Long index;

	@Option(names = { "-timestamp", "--timestamp" }, paramLabel = "RFC3339", converter = Converters.Timestamp.class,
			description = "Restore the state as of this time, such as 2026-01-01T00:00:00Z.")
	@Nullable Instant timestamp;

	@Option(names = { "-parallelism", "--parallelism" }, paramLabel = "N",
			description = "WAL segments downloaded at once. Defaults to ${DEFAULT-VALUE}.")
	int parallelism = RestoreOptions.DEFAULT_PARALLELISM;

	@Option(names = { "-if-db-not-exists", "--if-db-not-exists" },
			description = "Exit 0 without restoring when the output already exists.")
	boolean ifDbNotExists;

	@Option(names = { "-if-replica-exists", "--if-replica-exists" },
			description = "Exit 0 without restoring when no replica holds a matching backup (any, of -generation, "
					+ "or as old as -timestamp).")
	boolean ifReplicaExists;

	@Option(names = { "-dry-run", "--dry-run" },
			description = "Print the plan (replica, generation, snapshot, WAL range, bytes) and write nothing.")
	boolean dryRun;

	@Option(names = { "-v", "--v" },
			description = "Verbose: the restore's progress on standard error (the flag of Litestream up to v0.3.11).")
	boolean verbose;

	@Override
	public Integer call() throws Exception {
		checkFlags();
		String verboseProperty = "org.slf4j.simpleLogger.log.io.github.litestream";
		String quiet = System.getProperty(verboseProperty);
		if (this.verbose) {
			// Read when each logger is created, which the restore's classes do only from here on.
			System.setProperty(verboseProperty, "info");
		}
		try {
			return restore();
		}
		catch (NoMatchingBackupException ex) {
			// As Litestream: a generation or a time no replica holds is "no matching backups" too.
			if (!this.ifReplicaExists) {
				throw ex;
			}
			err().println("no matching backups found: " + LitestreamCli.oneLine(ex.getMessage()));
			return ExitCodes.OK;
		}
		finally {
			// Loggers created later (another command in the same JVM, as in tests) are not verbose.
			if (this.verbose) {
				if (quiet == null) {
					System.clearProperty(verboseProperty);
				}
				else {
					System.setProperty(verboseProperty, quiet);
				}
			}
		}
	}

	private int restore() throws Exception {
		try (Target target = Target.resolve(this.options, environment())) {
			if (target.replicas().isEmpty() && this.ifReplicaExists) {
				// As Litestream: no replica holds a backup, which -if-replica-exists allows.
				err().println("no matching backups found: " + target.database() + " has no replica");
				return ExitCodes.OK;
			}
			target.requireReplicas("restore");
			Path output = output(target);
			// A dry run writes nothing, so it may plan a restore of a database that exists.
			// A follower's copy not handed over may be torn: the restore sets it aside, or says why not.
			if (Files.exists(output) && !this.dryRun && FollowerCopyMark.writer(output).isEmpty()) {
				if (this.ifDbNotExists) {
					err().println("database already exists, skipping: " + output);
					return ExitCodes.OK;
				}
				throw new CliException("output " + output + " already exists: pass -o with a new file, move it away "
						+ "(with its -wal and -shm files), or pass -if-db-not-exists to exit 0");
			}
			if (!Files.exists(output)) {
				try {
					refuseStaleSidecars(output);
				}
				catch (CliException ex) {
					if (!this.dryRun) {
						throw ex;
					}
					err().println("warning: the restore would refuse: " + ex.getMessage());
				}
			}
			RestoreOptions restore = restoreOptions(output);
			Choice choice = choose(target, restore);
			if (choice == null) {
				return noBackup(target);
			}
			try (ReplicaClient client = target.open(choice.replica())) {
				if (this.dryRun) {
					RestorePlan plan = new RestorePlanner(client).plan(choice.options()).orElse(null);
					if (plan == null) {
						return noBackup(target);
					}
					print(report(choice.replica(), plan, output));
					err().println("dry run: nothing was written");
					return ExitCodes.OK;
				}
				RestoreResult result = restore(client, choice.options());
				if (!result.restored()) {
					return noBackup(target);
				}
				print(report(choice.replica(), result.plan(), output));
				return ExitCodes.OK;
			}
		}
	}

	/**
	 * Restores, creating the output's directory as Litestream does, and removing it again if
	 * the restore wrote nothing.
	 */
	private RestoreResult restore(ReplicaClient client, RestoreOptions options) throws IOException {
		Path directory = options.outputPath().getParent();
		Path created = null;
		for (Path missing = directory; missing != null && !Files.exists(missing); missing = missing.getParent()) {
			created = missing;
		}
		Files.createDirectories(directory);
		boolean restored = false;
		try {
			// A replica without backup is reported by the command, with its flag; an existing output
			// reaches the restore only as a follower's copy, set aside with -if-db-not-exists.
			boolean setAside = this.ifDbNotExists && FollowerCopyMark.writer(options.outputPath()).isPresent();
			RestoreResult result = new Restorer().restore(client, options.withConditions(setAside, true));
			restored = result.restored();
			return result;
		}
		finally {
			if (!restored && created != null) {
				deleteEmptyDirectories(directory, created);
			}
		}
	}

	private static void deleteEmptyDirectories(Path directory, Path top) throws IOException {
		for (Path path = directory; path != null && path.startsWith(top); path = path.getParent()) {
			Files.deleteIfExists(path);
		}
	}

	/**
	 * A non-empty {@code -wal} or {@code -journal} beside a missing output may hold the last
	 * commits of the database it belonged to; the engine would delete it (SQLite would replay it
	 * into the restored file), so the operator decides. An {@code -shm} holds no data.
	 */
	private static void refuseStaleSidecars(Path output) throws IOException {
		for (String suffix : List.of("-wal", "-journal")) {
			Path stale = output.resolveSibling(output.getFileName() + suffix);
			if (Files.isRegularFile(stale) && Files.size(stale) > 0) {
				throw new CliException("output " + output + " does not exist but " + stale + " does: it may hold the "
						+ "last commits of a database deleted or moved without it, and SQLite would replay it into the "
						+ "restored file; move it away (with the database it belongs to), or pass -o with another path");
			}
		}
	}

	private void checkFlags() {
		if (this.index != null && this.timestamp != null) {
			throw new CommandLine.ParameterException(this.spec.commandLine(),
					"-index and -timestamp exclude each other: pass one of them");
		}
		if (this.generation != null && !Pos.isGeneration(this.generation)) {
			throw new CommandLine.ParameterException(this.spec.commandLine(), "invalid -generation '" + this.generation
					+ "': a generation is 16 lowercase hex characters, as 'generations' lists them");
		}
		if (this.parallelism < 1) {
			throw new CommandLine.ParameterException(this.spec.commandLine(),
					"-parallelism must be at least 1, not " + this.parallelism);
		}
	}

	private Path output(Target target) {
		if (this.output != null) {
			return this.output.toAbsolutePath().normalize();
		}
		Path database = target.database();
		if (database == null) {
			throw new CliException("output path required: pass -o PATH when restoring from a replica URL");
		}
		return database;
	}

	private RestoreOptions restoreOptions(Path output) {
		RestoreOptions restore = RestoreOptions.latest(output).withParallelism(this.parallelism);
		if (this.generation != null) {
			restore = restore.withGeneration(this.generation);
		}
		if (this.index != null) {
			restore = restore.withIndex(this.index);
		}
		if (this.timestamp != null) {
			restore = restore.withTimestamp(this.timestamp);
		}
		return restore;
	}

	/**
	 * The replica to read: the only one, or of several the most recent (of those holding the
	 * timestamp, when one is given; the first holding the generation, when one is asked for). A latest or index restore reads the generation the
	 * ranking compared.
	 */
	private @Nullable Choice choose(Target target, RestoreOptions restore) throws IOException {
		List<ReplicaSettings> replicas = target.replicas();
		if (replicas.size() == 1) {
			return new Choice(replicas.get(0), restore);
		}
		List<Candidate<ReplicaSettings>> candidates = new ArrayList<>();
		RestoreException refused = null;
		for (ReplicaSettings replica : replicas) {
			try (ReplicaClient client = target.open(replica)) {
				if (restore.generation() != null) {
					if (client.generations().contains(restore.generation())) {
						return new Choice(replica, restore);
					}
					continue;
				}
				if (restore.timestamp() != null) {
					// As Litestream: only the replicas that hold the moment compete (a more recent
					// one may have kept less history).
					try {
						new RestorePlanner(client).plan(restore);
					}
					catch (RestoreException ex) {
						// A failure other than "not held here" is the one to report.
						refused = (refused == null || refused instanceof NoMatchingBackupException) ? ex : refused;
						continue;
					}
				}
				candidates.add(ReplicaChooser.list(replica, replica.name(), client, replicas.size()));
			}
		}
		if (restore.generation() != null) {
			if (this.ifReplicaExists) {
				return null;
			}
			throw new CliException("no replica of " + target.database() + " (" + Target.names(replicas)
					+ ") holds generation " + restore.generation() + ": pass a -generation that 'generations' lists");
		}
		List<Candidate<ReplicaSettings>> ranked = ReplicaChooser.rank(restore.outputPath(), candidates);
		if (ranked.isEmpty()) {
			if (refused != null) {
				throw refused;
			}
			return null;
		}
		Candidate<ReplicaSettings> best = ranked.get(0);
		RestoreOptions chosen = (restore.timestamp() == null)
				? restore.withGeneration(best.newestBackup().generation()) : restore;
		return new Choice(best.replica(), chosen);
	}

	private int noBackup(Target target) {
		if (this.ifReplicaExists) {
			err().println("no matching backups found");
			return ExitCodes.OK;
		}
		throw new CliException("no matching backups found in replica(s) " + Target.names(target.replicas())
				+ ": check the replica's location (see 'generations'), or pass -if-replica-exists to exit 0");
	}

	private static Table report(ReplicaSettings replica, RestorePlan plan, Path output) {
		String wal = plan.walIndexes().isEmpty() ? "-"
				: Pos.hex(plan.walIndexes().get(0).index()) + "-" + Pos.hex(plan.targetIndex());
		return new Table("replica", "generation", "snapshot", "wal", "segments", "bytes", "output").add(replica.name(),
				plan.generation(), Pos.hex(plan.snapshot().index()), wal, plan.segmentCount(), plan.compressedBytes(),
				output.toString());
	}

	/**
	 * The replica a restore reads and the options it reads it with.
	 */
	private record Choice(ReplicaSettings replica, RestoreOptions options) {

	}

}

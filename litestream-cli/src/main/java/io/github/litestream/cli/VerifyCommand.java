package io.github.litestream.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.boot.autoconfigure.ReplicaSettings;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.RestoreResult;
import io.github.litestream.restore.Restorer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code verify}: restores the latest state of each replica into a temporary file, runs
 * {@code PRAGMA integrity_check} on it and, given a live database, compares their contents
 * ({@link DatabaseComparison}). Nothing outside the temporary directory is written. Exits
 * with {@link ExitCodes#VERIFY_FAILED} when a replica fails any of it.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
		description = { "Restores each replica's latest state into a temporary file, runs PRAGMA integrity_check, "
				+ "and compares it with the live database (DB_PATH when it exists, or -live).",
				"Compare against a stopped application, or one that wrote nothing since the last sync: "
						+ "otherwise the live database is ahead and differs." })
final class VerifyCommand extends CliCommand {

	@Mixin
	TargetOptions options;

	@Option(names = { "-live", "--live" }, paramLabel = "PATH",
			description = "The live database to compare with. Defaults to DB_PATH when that file exists.")
	@Nullable Path live;

	@Option(names = { "-parallelism", "--parallelism" }, paramLabel = "N",
			description = "WAL segments downloaded at once. Defaults to ${DEFAULT-VALUE}.")
	int parallelism = RestoreOptions.DEFAULT_PARALLELISM;

	@Override
	public Integer call() throws Exception {
		if (this.live != null && !Files.isRegularFile(this.live)) {
			throw new CliException("-live " + this.live + " is not a database file: pass the live database's path, "
					+ "or leave -live out");
		}
		try (Target target = Target.resolve(this.options, environment())) {
			target.requireReplicas("verify");
			Path compareWith = liveDatabase(target);
			Table table = new Table("replica", "generation", "index", "integrity", "live");
			int exitCode = ExitCodes.OK;
			Path directory = Files.createTempDirectory("litestream-verify-");
			try {
				List<ReplicaSettings> replicas = target.replicas();
				for (int i = 0; i < replicas.size(); i++) {
					ReplicaSettings replica = replicas.get(i);
					if (!verify(target, replica, directory.resolve("replica-" + i + ".db"), compareWith, table,
							err())) {
						exitCode = ExitCodes.VERIFY_FAILED;
					}
				}
			}
			finally {
				deleteTree(directory);
			}
			print(table);
			return exitCode;
		}
	}

	private @Nullable Path liveDatabase(Target target) {
		if (this.live != null) {
			return this.live;
		}
		Path database = target.database();
		return (database != null && Files.isRegularFile(database)) ? database : null;
	}

	private boolean verify(Target target, ReplicaSettings replica, Path restored, @Nullable Path compareWith,
			Table table, PrintWriter err) {
		try (ReplicaClient client = target.open(replica)) {
			// Without a backup the engine's message names its temporary file and the application's
			// if-replica-exists; the replica's location is what the operator checks.
			RestoreResult result = new Restorer().restore(client,
					RestoreOptions.latest(restored).withParallelism(this.parallelism).withConditions(false, true));
			if (!result.restored()) {
				table.add(replica.name(), "-", "-", "failed", "-");
				err.println("error: replica '" + replica.name() + "' holds no backup at " + client.location()
						+ ": check its location (see 'generations')");
				return false;
			}
			String integrity = integrityCheck(restored);
			String comparison = (compareWith != null) ? DatabaseComparison.compare(compareWith, restored) : "-";
			table.add(replica.name(), result.plan().generation(), Pos.hex(result.plan().targetIndex()), integrity,
					comparison);
			return integrity.equals("ok") && (compareWith == null || comparison.equals("equal"));
		}
		catch (IOException | SQLException | RuntimeException ex) {
			table.add(replica.name(), "-", "-", "failed", "-");
			err.println("error: replica '" + replica.name() + "' failed verification: " + LitestreamCli.oneLine(ex.getMessage()));
			return false;
		}
	}

	private static String integrityCheck(Path database) throws SQLException {
		List<String> problems = new ArrayList<>();
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("PRAGMA integrity_check")) {
			while (result.next()) {
				problems.add(result.getString(1));
			}
		}
		return String.join("; ", problems);
	}

	private static void deleteTree(Path directory) throws IOException {
		try (Stream<Path> files = Files.walk(directory)) {
			for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
	}

}

package io.github.litestream.cli;

import java.io.IOException;

import io.github.litestream.boot.autoconfigure.ReplicaSettings;
import io.github.litestream.replica.ReplicaClient;
import picocli.CommandLine.Mixin;

/**
 * A listing of every replica of a target, one table for all. A replica that can't be read is
 * reported on standard error and the others are still listed, as Litestream does; the command
 * then exits with {@link ExitCodes#FAILED}, where Litestream exits 0: a script must be able to
 * tell an incomplete listing from a replica without backups.
 */
abstract class ReplicaListingCommand extends CliCommand {

	@Mixin
	TargetOptions options;

	/**
	 * The empty table, with its columns.
	 * @return the table
	 */
	abstract Table table();

	/**
	 * Adds one replica's rows.
	 * @param target the target, for what it knows of the database
	 * @param replica the replica
	 * @param client its client
	 * @param table the table
	 * @throws IOException if the replica can't be read
	 */
	abstract void list(Target target, ReplicaSettings replica, ReplicaClient client, Table table) throws IOException;

	@Override
	public Integer call() throws Exception {
		try (Target target = Target.resolve(this.options, environment())) {
			Table table = table();
			int exitCode = ExitCodes.OK;
			for (ReplicaSettings replica : target.replicas()) {
				try (ReplicaClient client = target.open(replica)) {
					list(target, replica, client, table);
				}
				catch (IOException | RuntimeException ex) {
					err().println("error: cannot read replica '" + replica.name() + "': "
							+ LitestreamCli.oneLine(ex.getMessage()));
					exitCode = ExitCodes.FAILED;
				}
			}
			print(table);
			return exitCode;
		}
	}

}

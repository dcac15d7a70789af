package io.github.litestream.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import io.github.litestream.boot.autoconfigure.ReplicaSettings;
import io.github.litestream.replica.ReplicaClient;

/**
 * Reads each replica of a target in turn for a listing. A replica that can't be read is
 * reported on standard error and the others are still listed, as Litestream does; the
 * command then exits with {@link ExitCodes#FAILED}.
 */
final class ReplicaReader {

	private ReplicaReader() {
	}

	/**
	 * Runs a read on every replica of the target.
	 * @param target the target
	 * @param err where failures are reported
	 * @param read what to read from each
	 * @return the exit code: {@link ExitCodes#OK} when every replica was read
	 */
	static int forEach(Target target, PrintWriter err, Read read) {
		int exitCode = ExitCodes.OK;
		for (ReplicaSettings replica : target.replicas()) {
			try (ReplicaClient client = target.open(replica)) {
				read.apply(replica, client);
			}
			catch (IOException | RuntimeException ex) {
				if (ex instanceof CliException) {
					throw (CliException) ex;
				}
				err.println("error: cannot read replica '" + replica.name() + "': " + LitestreamCli.oneLine(ex.getMessage()));
				exitCode = ExitCodes.FAILED;
			}
		}
		return exitCode;
	}

	/**
	 * A time as Litestream's tables print it: RFC 3339 in UTC, whole seconds.
	 * @param time the time
	 * @return the text
	 */
	static String rfc3339(Instant time) {
		return DateTimeFormatter.ISO_INSTANT.format(time.truncatedTo(ChronoUnit.SECONDS));
	}

	/**
	 * One replica's read.
	 */
	@FunctionalInterface
	interface Read {

		void apply(ReplicaSettings replica, ReplicaClient client) throws IOException;

	}

}

package io.github.litestream.cli;

/**
 * A failure the operator can fix: its message is one line that names what to change. The
 * command exits with {@link ExitCodes#FAILED}, and nothing was written.
 */
final class CliException extends RuntimeException {

	/**
	 * Creates an exception.
	 * @param message what failed and what to change, one line
	 */
	CliException(String message) {
		super(message);
	}

}

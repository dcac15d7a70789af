package io.github.litestream;

import java.io.IOException;

import org.junit.jupiter.api.Assumptions;

/**
 * Starts the command-line tools some tests check our files with ({@code sqlite3}, {@code lz4}):
 * without the tool the test is skipped, saying which one to install, rather than failed.
 */
public final class CommandLineTools {

	private CommandLineTools() {
	}

	/**
	 * Starts a process, or skips the test if its program is not installed.
	 * @param builder the process
	 * @return the started process
	 */
	public static Process start(ProcessBuilder builder) {
		try {
			return builder.start();
		}
		catch (IOException ex) {
			String tool = builder.command().get(0);
			Assumptions.abort("The '" + tool + "' command-line tool is not installed (apt-get install " + tool + "): "
					+ ex.getMessage());
			throw new IllegalStateException(ex);
		}
	}

}

package io.github.litestream.cli;

/**
 * The exit codes of every command, as docs/cli.md lists them.
 */
final class ExitCodes {

	/** The command did what was asked (or, with an {@code -if-…} flag, had nothing to do). */
	static final int OK = 0;

	/** The command failed: bad configuration, an unreadable replica, a refused restore. */
	static final int FAILED = 1;

	/** The command line is wrong: an unknown flag, a missing argument, a malformed value. */
	static final int USAGE = 2;

	/** {@code verify} ran, and a backup did not restore, failed its check or differs from the live database. */
	static final int VERIFY_FAILED = 3;

	private ExitCodes() {
	}

}

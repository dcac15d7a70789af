package io.github.litestream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code sqlite3} command-line shell as an operator would run it next to the application:
 * another process that opens the database, reads and exits. When it closes and believes it is
 * the last connection (it can take an exclusive lock on the database file), SQLite checkpoints
 * and deletes the WAL, which is what a process that lost its POSIX locks lets happen.
 */
final class OutsideSqlite3 {

	private OutsideSqlite3() {
	}

	/** Runs {@code SELECT COUNT(*) FROM t} in a new {@code sqlite3} process. */
	static long countRows(Path database) throws IOException, InterruptedException {
		Process sqlite3 = CommandLineTools
			.start(new ProcessBuilder("sqlite3", database.toString(), "SELECT COUNT(*) FROM t").redirectErrorStream(true));
		String out = new String(sqlite3.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		assertThat(sqlite3.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(sqlite3.exitValue()).as(out).isZero();
		return Long.parseLong(out);
	}

}

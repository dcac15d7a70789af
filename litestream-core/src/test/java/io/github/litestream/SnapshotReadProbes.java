package io.github.litestream;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;

/**
 * What tests of a snapshot that outlives its database's close look at: where a thread waits for
 * that snapshot, and whether the engine's read transaction still pins the application's WAL.
 */
final class SnapshotReadProbes {

	private SnapshotReadProbes() {
	}

	/**
	 * Whether a thread waits, with a timeout, in a method of {@code DatabaseHandles}.
	 * @param thread the thread
	 * @param method the method's name ({@code awaitSnapshot} for a close, {@code awaitClosed} for
	 * an open after such a close)
	 */
	static boolean waitsInHandles(Thread thread, String method) {
		// One sample of both the state and the stack.
		ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(thread.getId(), Integer.MAX_VALUE);
		return info != null && info.getThreadState() == Thread.State.TIMED_WAITING
				&& Arrays.stream(info.getStackTrace())
					.anyMatch((frame) -> frame.getClassName().equals("io.github.litestream.db.DatabaseHandles")
							&& frame.getMethodName().equals(method));
	}

	/**
	 * Runs a call on a thread of its own, and returns once it has returned or waits in a method
	 * of {@code DatabaseHandles} (see {@link #waitsInHandles}).
	 * @param name the thread's name
	 * @param call what runs
	 * @param method where it may wait
	 * @return the call's outcome, done if it returned
	 */
	static CompletableFuture<Void> runUntilReturnedOrWaiting(String name, Call call, String method) {
		CompletableFuture<Void> outcome = new CompletableFuture<>();
		Thread thread = new Thread(() -> {
			try {
				call.run();
				outcome.complete(null);
			}
			catch (Exception | Error ex) {
				outcome.completeExceptionally(ex);
			}
		}, name);
		thread.start();
		await().atMost(Duration.ofSeconds(30)).until(() -> outcome.isDone() || waitsInHandles(thread, method));
		return outcome;
	}

	/**
	 * Whether a TRUNCATE checkpoint of the application's connection finds a reader (the engine's
	 * read transaction), without waiting for it.
	 */
	static boolean truncatingCheckpointBusy(AppDatabase app) throws SQLException {
		try (Statement statement = app.connection().createStatement()) {
			statement.execute("PRAGMA busy_timeout=0");
			try (ResultSet result = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
				result.next();
				return result.getInt(1) != 0;
			}
			finally {
				statement.execute("PRAGMA busy_timeout=5000");
			}
		}
	}

	/** A call that may throw. */
	@FunctionalInterface
	interface Call {

		void run() throws Exception;

	}

}

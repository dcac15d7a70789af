package io.github.litestream.age;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that decrypt payload chunks ahead of the readers of large age files, shared by
 * the whole JVM: one fewer than there are processors (at least one), because each reader's own
 * thread decrypts too, so however many files are read at once, decryption keeps no more
 * threads busy than there are cores plus the readers. Daemons, gone after a few idle seconds.
 * Their tasks only compute on byte arrays: they never block and never touch a channel, so
 * cancelling or interrupting a reader cannot close anything here.
 */
final class DecryptionThreads {

	private static final int COUNT = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

	private static final ThreadPoolExecutor POOL;

	static {
		AtomicInteger threads = new AtomicInteger();
		POOL = new ThreadPoolExecutor(COUNT, COUNT, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), (runnable) -> {
			Thread thread = new Thread(runnable, "litestream-age-decrypt-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		POOL.allowCoreThreadTimeOut(true);
	}

	private DecryptionThreads() {
	}

	/** The shared threads. */
	static Executor executor() {
		return POOL;
	}

	/** How many there are at most. */
	static int count() {
		return COUNT;
	}

}

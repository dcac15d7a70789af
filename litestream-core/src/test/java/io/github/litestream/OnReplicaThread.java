package io.github.litestream;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.github.litestream.replica.Replica;

/**
 * Syncs a replica of a started engine on the replica's own thread. A {@link Replica} is used
 * by one thread; once the engine runs, a test that calls {@code replica.sync()} itself races
 * the sync the engine's lane runs at start.
 */
final class OnReplicaThread {

	private OnReplicaThread() {
	}

	/**
	 * Ships what is pending after any sync the engine's lane is running.
	 * @param engine the started engine
	 * @param replica one of its replicas
	 * @throws Exception what the sync threw, or a timeout after a minute
	 */
	static void sync(Litestream engine, Replica replica) throws Exception {
		try {
			engine.syncNow(replica).get(1, TimeUnit.MINUTES);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
	}

}

package io.github.litestream.restore;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.replica.file.FileReplicaClient;

/**
 * A restore that stops in the middle, with its temporary files written, until it is killed:
 * {@code main(replicaRoot, output)}. It prints {@code stalled} once it waits.
 */
public final class KilledRestore {

	private KilledRestore() {
	}

	public static void main(String[] args) throws Exception {
		FileReplicaClient replica = new FileReplicaClient(Path.of(args[0]));
		StallingReplicaClient stalling = new StallingReplicaClient(replica, (pos) -> {
			if (pos.index() == 0x25) {
				System.out.println("stalled");
				System.out.flush();
				// Stalls until the test kills this JVM (park may return early: park again).
				while (true) {
					LockSupport.park();
				}
			}
		});
		new Restorer().restore(stalling, RestoreOptions.latest(Path.of(args[1])).withParallelism(1));
	}

}

package io.github.litestream.restore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.replica.file.FileReplicaClient;

/**
 * A follower whose first restore stops in the middle, with its temporary files written, until
 * it is killed: {@code main(replicaRoot, database)}. It prints {@code stalled} once it waits.
 */
public final class KilledFollower {

	private KilledFollower() {
	}

	public static void main(String[] args) throws Exception {
		StallingReplicaClient stalling = new StallingReplicaClient(new FileReplicaClient(Path.of(args[0])), (pos) -> {
			if (pos.index() == 0x25) {
				System.out.println("stalled");
				System.out.flush();
				// Stalls until the test kills this JVM (park may return early: park again).
				while (true) {
					LockSupport.park();
				}
			}
		});
		new ReplicaFollower(stalling, Path.of(args[1]), new FollowerOptions(Duration.ofMillis(50), Duration.ofMillis(400), 1))
			.start();
		while (true) {
			// The follower's thread is a daemon: this one keeps the JVM alive.
			LockSupport.park();
		}
	}

}

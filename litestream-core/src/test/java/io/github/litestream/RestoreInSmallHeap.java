package io.github.litestream;

import java.nio.file.Path;

import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;

/**
 * Child process for the bounded-memory test: restores a file replica under whatever -Xmx the
 * parent chose.
 */
public final class RestoreInSmallHeap {

	private RestoreInSmallHeap() {
	}

	/**
	 * Restores.
	 * @param args the replica directory, the output, and optionally a parallelism with which the
	 * replica is read as a remote one (a local replica gets one worker per spare processor)
	 * @throws Exception if the restore fails
	 */
	public static void main(String[] args) throws Exception {
		ReplicaClient client = new FileReplicaClient(Path.of(args[0]));
		RestoreOptions options = RestoreOptions.latest(Path.of(args[1]));
		if (args.length > 2) {
			client = new ForwardingReplicaClient(client) {
				@Override
				public boolean readsLocally() {
					return false;
				}
			};
			options = options.withParallelism(Integer.parseInt(args[2]));
		}
		new Restorer().restore(client, options);
		System.out.println("max heap " + Runtime.getRuntime().maxMemory());
	}

}

package io.github.litestream;

import java.nio.file.Path;

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

	public static void main(String[] args) throws Exception {
		new Restorer().restore(new FileReplicaClient(Path.of(args[0])), RestoreOptions.latest(Path.of(args[1])));
		System.out.println("max heap " + Runtime.getRuntime().maxMemory());
	}

}

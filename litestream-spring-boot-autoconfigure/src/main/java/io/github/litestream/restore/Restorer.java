package io.github.litestream.restore;

import java.io.IOException;

import io.github.litestream.replica.ReplicaClient;

/**
 * STAND-IN for the restore helper's class (planned API); replace on merge.
 */
public class Restorer {

	public RestoreResult restore(ReplicaClient client, RestoreOptions options) throws IOException {
		throw new UnsupportedOperationException("stand-in");
	}

}

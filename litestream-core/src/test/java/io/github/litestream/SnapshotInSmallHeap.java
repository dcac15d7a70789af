package io.github.litestream;

import java.nio.file.Path;

import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;

/**
 * Child process for the bounded-memory test: snapshots a database to a file replica and
 * restores it, under whatever -Xmx the parent chose.
 */
public final class SnapshotInSmallHeap {

	public static void main(String[] args) throws Exception {
		Path db = Path.of(args[0]);
		FileReplicaClient client = new FileReplicaClient(Path.of(args[1]));
		try (ReplicatedDatabase database = new ReplicatedDatabase(DatabaseOptions.defaults(db))) {
			database.open();
			Replica replica = new Replica(database, client, ReplicaOptions.defaults("file"));
			replica.sync();
		}
		new Restorer().restore(client, RestoreOptions.latest(Path.of(args[2])));
		System.out.println("max heap " + Runtime.getRuntime().maxMemory());
	}

}

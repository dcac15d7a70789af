package io.github.litestream;

import java.nio.file.Path;
import java.util.List;

import io.github.litestream.age.AgeIdentity;

import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.AgeReplicaClient;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;

/**
 * Child process for the bounded-memory test: snapshots a database to a file replica and
 * restores it, under whatever -Xmx the parent chose; with a fourth argument {@code age}, through
 * an age-encrypted replica.
 */
public final class SnapshotInSmallHeap {

	public static void main(String[] args) throws Exception {
		Path db = Path.of(args[0]);
		ReplicaClient client = new FileReplicaClient(Path.of(args[1]));
		if (args.length > 3 && args[3].equals("age")) {
			AgeIdentity identity = AgeIdentity.generate();
			client = new AgeReplicaClient(client, List.of(identity.recipient()), List.of(identity));
		}
		try (ReplicatedDatabase database = new ReplicatedDatabase(DatabaseOptions.defaults(db))) {
			database.open();
			Replica replica = new Replica(database, client, ReplicaOptions.defaults("file"));
			replica.sync();
		}
		new Restorer().restore(client, RestoreOptions.latest(Path.of(args[2])));
		System.out.println("max heap " + Runtime.getRuntime().maxMemory());
	}

}

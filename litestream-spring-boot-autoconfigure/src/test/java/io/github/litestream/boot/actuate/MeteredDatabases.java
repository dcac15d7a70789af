package io.github.litestream.boot.actuate;

import java.nio.file.Path;
import java.util.List;

import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;

/** Databases added to an engine for the meter tests, each with a file replica counted by {@code operations}. */
final class MeteredDatabases {

	private MeteredDatabases() {
	}

	static void add(Litestream litestream, ReplicaOperationMetrics operations, Path replicas, List<Path> databases) {
		for (Path path : databases) {
			litestream.addDatabase(DatabaseOptions.defaults(path),
					List.of(new ReplicationTarget(new FileReplicaClient(replicas.resolve("replica-" + path.getFileName()),
							operations.listenerFor(path, "file")), ReplicaOptions.defaults("file"))));
		}
	}

}

package io.github.litestream.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;

/**
 * Starts the engine the way an application gets it by default: default monitor, checkpoint,
 * sync and snapshot settings.
 */
final class Engines {

	private Engines() {
	}

	static Litestream start(Path database, ReplicaClient client, String name) throws IOException {
		Litestream engine = new Litestream();
		engine.addDatabase(DatabaseOptions.defaults(database),
				List.of(new ReplicationTarget(client, ReplicaOptions.defaults(name))));
		engine.start();
		return engine;
	}

	static void stop(Litestream engine) {
		if (engine != null) {
			engine.stop(java.time.Duration.ofSeconds(60));
			engine.close();
		}
	}

}

package io.github.litestream;

import java.time.Duration;
import java.util.List;

import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;

/**
 * STAND-IN for the lead's engine facade (planned API), so the boot branch compiles until
 * the real class is merged from main. Replace on merge.
 */
public class Litestream implements AutoCloseable {

	public ReplicatedDatabase addDatabase(DatabaseOptions options, List<ReplicationTarget> targets) {
		return new ReplicatedDatabase();
	}

	public void start() {
	}

	public boolean stop(Duration timeout) {
		return true;
	}

	@Override
	public void close() {
	}

	public List<ReplicatedDatabase> databases() {
		return List.of();
	}

}

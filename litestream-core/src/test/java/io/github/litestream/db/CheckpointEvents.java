package io.github.litestream.db;

import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The checkpoints a database's listener heard, in order, as "checkpoint MODE", "blocked MODE"
 * or "error MODE": what the checkpoint tests assert on.
 */
final class CheckpointEvents extends CopyOnWriteArrayList<String> implements DatabaseListener {

	@Override
	public void onCheckpoint(CheckpointMode mode, Duration duration) {
		add("checkpoint " + mode);
	}

	@Override
	public void onCheckpointBlocked(CheckpointMode mode) {
		add("blocked " + mode);
	}

	@Override
	public void onCheckpointError(CheckpointMode mode, Exception error) {
		add("error " + mode);
	}

}

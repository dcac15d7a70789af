package io.github.litestream;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaStatus;
import io.github.litestream.replica.SnapshotUpload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's snapshot uploads, which run on the engine's snapshot threads beside its
 * {@link ReplicaTask}'s lane: begun on the lane, their outcome applied back on it, waited for
 * and then cancelled at shutdown.
 */
final class SnapshotUploads {

	private static final Logger logger = LoggerFactory.getLogger(SnapshotUploads.class);

	private final Replica replica;

	private final Executor executor;

	private final SerialLane lane;

	SnapshotUploads(Replica replica, Executor executor, SerialLane lane) {
		this.replica = replica;
		this.executor = executor;
		this.lane = lane;
	}

	/** Where the uploads run. */
	Executor executor() {
		return this.executor;
	}

	/**
	 * Has the lane apply an upload's outcome as soon as it is stored, so the snapshot is
	 * published then rather than at the next tick.
	 */
	void applyWhenStored(SnapshotUpload upload) {
		upload.stored().whenComplete((info, ex) -> {
			try {
				this.lane.execute(this.replica::applySnapshotUpload);
			}
			catch (RejectedExecutionException rejected) {
				// Shut down: whoever waits gets the outcome; the next run's lane applies it.
				upload.settleWithoutReplica();
			}
		});
	}

	/**
	 * Takes a snapshot now, as an operator asks: begun on the lane, uploaded beside it.
	 * @return a future completing with the replica's status once the snapshot is stored
	 */
	Future<ReplicaStatus> snapshotNow() {
		CompletableFuture<ReplicaStatus> result = new CompletableFuture<>();
		try {
			this.lane.execute(() -> {
				try {
					SnapshotUpload upload = this.replica.beginSnapshotNow(this.executor);
					upload.applied().whenComplete((info, ex) -> {
						if (ex != null) {
							result.completeExceptionally(
									(ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex);
						}
						else {
							result.complete(this.replica.status());
						}
					});
					applyWhenStored(upload);
				}
				catch (IOException | RuntimeException ex) {
					result.completeExceptionally(ex);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			result.completeExceptionally(ex);
		}
		return result;
	}

	/**
	 * Waits for an upload in progress, then cancels it: a stop must not wait minutes for it, and
	 * the database must not close while it reads the file. A cancelled snapshot is taken again
	 * at the next start.
	 * @param millis how long to wait before cancelling
	 * @return whether no upload runs any more
	 */
	boolean awaitOrCancel(long millis) {
		Optional<SnapshotUpload> upload = this.replica.snapshotUpload();
		if (upload.isEmpty()) {
			return true;
		}
		if (!upload.get().awaitStored(Math.max(0, millis))) {
			logger.info("Replica '{}' of {} cancels its snapshot upload to stop within the shutdown timeout",
					this.replica.name(), this.replica.database().path());
			upload.get().cancel();
		}
		upload.get().settleWithoutReplica();
		return upload.get().stored().isDone();
	}

}

package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.lease.LeaseOptions;
import org.jspecify.annotations.Nullable;

/**
 * One {@code litestream.dbs[n]} entry after validation.
 *
 * @param property the property prefix, such as {@code litestream.dbs[0]}
 * @param path the canonical database file, or {@code null} when it comes from the only
 * SQLite DataSource
 * @param monitorInterval how often the WAL is checked
 * @param checkpointInterval the PASSIVE checkpoint interval
 * @param minCheckpointPageCount the PASSIVE checkpoint threshold
 * @param maxCheckpointPageCount the RESTART checkpoint threshold
 * @param maxShadowWalSize bytes of shadow WAL kept for failing replicas, 0 for no bound
 * @param restore whether to restore on boot
 * @param restoreIfReplicaExists whether a missing backup is fine
 * @param restoreParallelism how many segments to fetch at once
 * @param restoreFallBack whether a restore falls back past damaged replica objects
 * @param replicas the replicas, in configuration order
 * @param synchronous how commits wait for replication
 * @param lease whether and how long the replicas are leased
 * @param standby whether the instance waits as a standby while another holds the lease
 * @param directory the directory of an entry with {@code dir} (whose path is then
 * {@code null}), or {@code null}
 */
public record DatabaseSettings(String property, @Nullable Path path, Duration monitorInterval, Duration checkpointInterval,
		int minCheckpointPageCount, int maxCheckpointPageCount, long maxShadowWalSize, boolean restore, boolean restoreIfReplicaExists,
		int restoreParallelism, boolean restoreFallBack, List<ReplicaSettings> replicas,
		SynchronousCommits synchronous, LeaseOptions lease, boolean standby, @Nullable DirectorySettings directory) {

	/**
	 * Settings of an entry with a path, or without one (the only SQLite DataSource's).
	 * @param property the property prefix
	 * @param path the canonical database file, or {@code null}
	 * @param monitorInterval how often the WAL is checked
	 * @param checkpointInterval the PASSIVE checkpoint interval
	 * @param minCheckpointPageCount the PASSIVE checkpoint threshold
	 * @param maxCheckpointPageCount the RESTART checkpoint threshold
	 * @param maxShadowWalSize bytes of shadow WAL kept for failing replicas
	 * @param restore whether to restore on boot
	 * @param restoreIfReplicaExists whether a missing backup is fine
	 * @param restoreParallelism how many segments to fetch at once
	 * @param restoreFallBack whether a restore falls back past damaged objects
	 * @param replicas the replicas
	 * @param synchronous how commits wait for replication
	 * @param lease whether and how long the replicas are leased
	 */
	public DatabaseSettings(String property, @Nullable Path path, Duration monitorInterval, Duration checkpointInterval,
			int minCheckpointPageCount, int maxCheckpointPageCount, long maxShadowWalSize, boolean restore,
			boolean restoreIfReplicaExists, int restoreParallelism, boolean restoreFallBack,
			List<ReplicaSettings> replicas, SynchronousCommits synchronous, LeaseOptions lease) {
		this(property, path, monitorInterval, checkpointInterval, minCheckpointPageCount, maxCheckpointPageCount,
				maxShadowWalSize, restore, restoreIfReplicaExists, restoreParallelism, restoreFallBack, replicas,
				synchronous, lease, false, null);
	}

	/**
	 * A copy for a database file found through a DataSource.
	 * @param file the canonical database file
	 * @return the settings with that path
	 */
	DatabaseSettings withPath(Path file) {
		return new DatabaseSettings(this.property, file, this.monitorInterval, this.checkpointInterval,
				this.minCheckpointPageCount, this.maxCheckpointPageCount, this.maxShadowWalSize, this.restore,
				this.restoreIfReplicaExists,
				this.restoreParallelism, this.restoreFallBack, this.replicas, this.synchronous, this.lease, this.standby,
				this.directory);
	}

	/**
	 * The settings of one database of a directory entry: its file, and its replicas under
	 * their paths relative to the directory.
	 * @param relativePath the file's path relative to the directory, {@code /}-separated
	 * @return the database's own settings (with no directory)
	 * @throws IllegalStateException if this is not a directory entry
	 */
	DatabaseSettings inDirectory(String relativePath) {
		if (this.directory == null) {
			throw new IllegalStateException(this.property + " is not a directory entry");
		}
		return new DatabaseSettings(this.property, this.directory.dir().resolve(relativePath), this.monitorInterval,
				this.checkpointInterval, this.minCheckpointPageCount, this.maxCheckpointPageCount, this.maxShadowWalSize,
				this.restore, this.restoreIfReplicaExists, this.restoreParallelism, this.restoreFallBack,
				this.directory.replicasOf().apply(relativePath), this.synchronous, this.lease, false, null);
	}

	/**
	 * The engine's options for this database.
	 * @param busyTimeout the engine connection's busy timeout
	 * @return the options
	 * @throws IllegalStateException if the path is not known yet
	 */
	DatabaseOptions options(Duration busyTimeout) {
		if (this.path == null) {
			throw new IllegalStateException(this.property + " has no path yet");
		}
		return new DatabaseOptions(this.path, this.monitorInterval, this.checkpointInterval,
				this.minCheckpointPageCount, this.maxCheckpointPageCount, busyTimeout, this.maxShadowWalSize);
	}

}

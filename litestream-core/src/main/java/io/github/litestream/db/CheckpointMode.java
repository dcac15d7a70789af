package io.github.litestream.db;

/**
 * SQLite's checkpoint modes ({@code PRAGMA wal_checkpoint(<mode>)}). Their names are SQLite's
 * keywords and also the {@code mode} tag of the checkpoint metrics.
 */
public enum CheckpointMode {

	/** Copies what it can without waiting for any lock; never restarts the WAL by itself. */
	PASSIVE,

	/** Waits for the write lock and for readers, and copies every frame. */
	FULL,

	/** Like FULL, then waits until the next writer may restart the WAL. */
	RESTART,

	/** Like RESTART, then truncates the WAL file to zero bytes. */
	TRUNCATE;

	/**
	 * Whether the engine's checkpoint procedure in this mode insists on restarting the WAL: it
	 * waits moments for readers that pin it, and reports when they still do.
	 */
	boolean insistsOnRestart() {
		return this != PASSIVE;
	}

}

package io.github.litestream.restore;

/**
 * A restore refused because no backup matches what was asked, though the replica may hold
 * others: the requested generation does not exist, or no snapshot was created at or before the
 * requested time. Litestream v0.3 finds no restore target in both cases, the same outcome as a
 * replica without any backup, so its {@code -if-replica-exists} exits 0 for them; a caller
 * with that flag can tell these refusals from real failures by this type.
 */
public final class NoMatchingBackupException extends RestoreException {

	/**
	 * Creates a new exception.
	 * @param message what was asked, what the replica holds instead, and the fix
	 */
	NoMatchingBackupException(String message) {
		super(message);
	}

}

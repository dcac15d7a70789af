package io.github.litestream;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A database file found stale when the engine first took a replica's lease (see
 * {@link DivergedFile}): another instance held the lease since the file was last replicated, and
 * the file is behind that replica's newest backup. Nothing of it is written to any replica; the
 * file itself is left as it is.
 *
 * @param database the database file
 * @param replica the name of the replica it was compared with
 * @param location where that replica lives (no credentials)
 * @param reason why it is stale, in words
 * @param since when it was found stale
 */
public record StaleFile(Path database, String replica, String location, String reason, Instant since) {

	/**
	 * What to do about it, in words.
	 * @return the fix
	 */
	public String fix() {
		return "restart this instance with restore-on-boot enabled, so that the file is set aside and the "
				+ "replica's newest state restored; or stop it and move " + this.database + " (with its -wal and "
				+ "-shm files and its ." + this.database.getFileName() + "-litestream directory) aside yourself";
	}

}

package io.github.litestream.restore;

import java.io.IOException;

/**
 * A restore could not write its own files (a full disk, a permission, an interrupted write):
 * not the replica's fault, so it never marks an object damaged nor makes a restore fall back to
 * an earlier point.
 */
final class LocalFileException extends IOException {

	LocalFileException(String what, IOException cause) {
		super("Cannot write " + what + ": " + cause + "; free space or fix permissions there, then restore again",
				cause);
	}

}

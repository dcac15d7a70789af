package io.github.litestream.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

import io.github.litestream.replica.Pos;

/**
 * Finds the shadow WAL bytes a replica has not shipped, from the files alone: replica threads
 * call it without the database's lock, so it reads only the published position and file sizes
 * (a finished index's file never changes again; the current one may grow past the position).
 */
final class PendingWal {

	private final Path database;

	private final LocalState localState;

	PendingWal(Path database, LocalState localState) {
		this.database = database;
		this.localState = localState;
	}

	/**
	 * The rest of {@code from}'s index, or, when the replica has all of it, the start of the next.
	 * @param from the replica's position
	 * @param current the published position, or {@code null} before opening
	 * @return the bytes to ship, or empty when the replica is up to date
	 * @throws ShadowWalMissingException if that part of the shadow WAL is no longer kept (or an
	 * earlier index's file is shorter than the position)
	 * @throws IOException if {@code from} is not in the current generation or beyond the published
	 * position
	 */
	Optional<ShadowWalSegment> after(Pos from, Pos current) throws IOException {
		if (current == null || !current.generation().equals(from.generation())) {
			throw new IOException("Position " + from + " is not in the current generation of " + this.database);
		}
		long index = from.index();
		long offset = from.offset();
		long end = endOf(index, current);
		if (offset == end && index < current.index()) {
			index++;
			offset = 0;
			end = endOf(index, current);
		}
		if (offset > end && index < current.index()) {
			// Cut short (power lost before the file reached the disk): what the replica has is
			// no longer here, as if the file were gone.
			throw new ShadowWalMissingException("Shadow WAL " + this.localState.shadowWalPath(from.generation(), index)
					+ " is shorter (" + Pos.hex(end) + ") than replica position " + from);
		}
		if (offset > end) {
			throw new IOException("Replica position " + from + " is beyond the shadow WAL of " + this.database + " ("
					+ Pos.hex(end) + ")");
		}
		if (offset == end) {
			return Optional.empty();
		}
		Path file = this.localState.shadowWalPath(from.generation(), index);
		return Optional.of(new ShadowWalSegment(new Pos(from.generation(), index, offset), end - offset, file));
	}

	private long endOf(long index, Pos current) throws IOException {
		if (index == current.index()) {
			return current.offset();
		}
		Path file = this.localState.shadowWalPath(current.generation(), index);
		try {
			return Files.size(file);
		}
		catch (NoSuchFileException ex) {
			throw new ShadowWalMissingException("Shadow WAL " + file + " is no longer kept");
		}
	}

}

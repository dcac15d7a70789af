package io.github.litestream;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import io.github.litestream.db.ReplicatedDatabase;

/**
 * Where each database file of a {@link DirectoryReplication} stands: registered by it (and, once
 * the registration completed, ready to be handed out), refused (with its size then, so that a
 * scan tries it again only once it changed), being deleted, or being stopped by a scan. A file
 * being registered, deleted or stopped is neither registered again nor taken out a second time
 * until that ends: a scan, {@code add} and {@code delete} of one file never overlap, while those
 * of different files do (a registration or a stop runs outside the directory's lock).
 *
 * <p>Not thread-safe: the directory's lock guards it, and the directory waits on that lock for a
 * file to stop. Only {@link #ready(Path)} may be read without it.
 */
final class TenantStates {

	/** Databases registered by the directory, by their path relative to it. */
	private final Map<String, Path> registered = new HashMap<>();

	/** Files that failed to register, with their size then: retried when it changes. */
	private final Map<Path, Long> failed = new HashMap<>();

	/** The databases whose registration completed; read without the lock. */
	private final Map<Path, ReplicatedDatabase> ready = new ConcurrentHashMap<>();

	/** Files being deleted: scans pass them over and add() refuses them until it has ended. */
	private final Set<Path> deleting = new HashSet<>();

	/** Files a scan stops, outside the lock: add() and delete() wait for it. */
	private final Set<Path> stopping = new HashSet<>();

	/** Files being registered, outside the lock: add() and delete() wait for it, scans pass them over. */
	private final Set<Path> registering = new HashSet<>();

	/**
	 * The database of a file whose registration completed; safe without the directory's lock.
	 * @param file the file
	 * @return its database, or {@code null}
	 */
	ReplicatedDatabase ready(Path file) {
		return this.ready.get(file);
	}

	/**
	 * A file's registration completed.
	 * @param relative its path relative to the directory
	 * @param file the file
	 * @param database its database
	 */
	void registered(String relative, Path file, ReplicatedDatabase database) {
		this.registered.put(relative, file);
		this.ready.put(file, database);
		this.failed.remove(file);
	}

	/**
	 * A file's registration was refused: it is tried again once its size is another.
	 * @param file the file
	 * @param size its size when it was refused
	 */
	void failed(Path file, long size) {
		this.failed.put(file, size);
	}

	/**
	 * Whether a scan should try to register a file: it has content, and it was not refused at
	 * this size.
	 * @param file the file
	 * @param size its size now
	 * @return {@code true} to try
	 */
	boolean worthTrying(Path file, long size) {
		Long failedAt = this.failed.get(file);
		return size > 0 && (failedAt == null || failedAt != size);
	}

	/**
	 * Whether a file a scan found is to be registered: it is not registered, deleted or stopped.
	 * @param relative its path relative to the directory
	 * @param file the file
	 * @return {@code true} if nothing has it in hand
	 */
	boolean isNew(String relative, Path file) {
		return !this.registered.containsKey(relative) && !this.deleting.contains(file) && !this.stopping.contains(file)
				&& !this.registering.contains(file);
	}

	/**
	 * A file's registration begins, to run outside the directory's lock: until
	 * {@link #endRegistering}, it is registered by nobody else, neither stopped nor deleted.
	 * @param file the file
	 */
	void beginRegistering(Path file) {
		if (!this.registering.add(file)) {
			throw new IllegalStateException(file + " is being registered already");
		}
	}

	/**
	 * A file's registration ended, whether it succeeded ({@link #registered}) or not.
	 * @param file the file
	 */
	void endRegistering(Path file) {
		this.registering.remove(file);
	}

	/**
	 * Whether a file is being stopped or registered, which add() and delete() of it wait for.
	 * @param file the file
	 * @return {@code true} while either runs
	 */
	boolean inHand(Path file) {
		return this.stopping.contains(file) || this.registering.contains(file);
	}

	/**
	 * Takes out the registered files a scan no longer found, or found replaced, unless they are
	 * being deleted; they are stopping until {@link #stopped(List)}.
	 * @param found the files the scan found, by their relative path
	 * @param replaced whether a registered file was deleted and created again since it was registered
	 * @return the files to stop
	 */
	List<Stopping> takeOutGone(Map<String, Path> found, Predicate<Path> replaced) {
		List<Stopping> gone = new ArrayList<>();
		for (Map.Entry<String, Path> entry : this.registered.entrySet()) {
			Path file = entry.getValue();
			if (this.deleting.contains(file)) {
				continue;
			}
			if (!found.containsKey(entry.getKey())) {
				gone.add(new Stopping(entry.getKey(), file, "the file is gone"));
			}
			else if (replaced.test(file)) {
				// Deleted and created again between two scans: the new file is registered next.
				gone.add(new Stopping(entry.getKey(), file, "the file was replaced by a new one"));
			}
		}
		for (Stopping stopping : gone) {
			this.registered.remove(stopping.relative());
			this.ready.remove(stopping.file());
			this.failed.remove(stopping.file());
			this.stopping.add(stopping.file());
		}
		return gone;
	}

	/**
	 * The files taken out by {@link #takeOutGone} stopped (or failed to): they may be registered again.
	 * @param gone the files
	 */
	void stopped(List<Stopping> gone) {
		gone.forEach((stopping) -> this.stopping.remove(stopping.file()));
	}

	/**
	 * Whether a file is being deleted.
	 * @param file the file
	 * @return {@code true} from {@link #beginDelete} until {@link #endDelete}
	 */
	boolean deleting(Path file) {
		return this.deleting.contains(file);
	}

	/**
	 * A delete of a file begins: it is no longer handed out as ready.
	 * @param file the file
	 * @return {@code false} if it is being deleted already
	 */
	boolean beginDelete(Path file) {
		if (!this.deleting.add(file)) {
			return false;
		}
		this.ready.remove(file);
		return true;
	}

	/**
	 * A delete of a file ended, whether it succeeded or not.
	 * @param relative its path relative to the directory
	 * @param file the file
	 * @param still its database if it is still registered (its unregistration failed early)
	 */
	void endDelete(String relative, Path file, Optional<ReplicatedDatabase> still) {
		this.deleting.remove(file);
		if (still.isPresent()) {
			this.ready.put(file, still.get());
		}
		else {
			// Detached, even by an unregister that failed: a scan may register the file again.
			this.registered.remove(relative);
			this.failed.remove(file);
		}
	}

	/**
	 * The databases registered.
	 * @return their paths relative to the directory, sorted
	 */
	Set<String> databases() {
		return new TreeSet<>(this.registered.keySet());
	}

	/**
	 * A file a scan stops replicating.
	 * @param relative its path relative to the directory
	 * @param file the file
	 * @param why why it stops, for the log
	 */
	record Stopping(String relative, Path file, String why) {
	}

}

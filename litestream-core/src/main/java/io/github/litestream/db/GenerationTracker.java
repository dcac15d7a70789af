package io.github.litestream.db;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import io.github.litestream.replica.Pos;
import io.github.litestream.sqlite.SqliteFiles;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generation, the current shadow WAL and the position: proves continuity with the previous
 * run on open, and starts a new index or a new generation when the history must branch.
 *
 * <p>
 * A replica's history is a <em>generation</em>: a snapshot plus WAL indexes that follow each other
 * without a gap. A generation continues only when the engine can prove that nothing happened to
 * the database that the shadow WAL did not see: the real WAL still starts with the shadow's
 * header and still holds the shadow's last frame at the same offset. Anything else (no generation
 * file, a missing or torn shadow, a truncated, restarted or rewritten WAL) starts a new
 * generation, and the reason is logged and told to the listeners. A clean shutdown (see
 * {@link CleanShutdown}) lets the generation continue at the next index.
 *
 * <p>
 * Not thread-safe: the database's monitor lock guards every method but {@link #position()}.
 */
final class GenerationTracker {

	private static final Logger logger = LoggerFactory.getLogger(GenerationTracker.class);

	private final Path path;

	private final Path walPath;

	private final LocalState localState;

	private final List<DatabaseListener> listeners;

	private final Runnable indexStarted;

	private EngineConnections connections;

	private ShadowWal shadow;

	private String generation;

	private volatile Pos position;

	/** The generation {@link #startGeneration} began, until {@link #resume} continues one. */
	private final GenerationClaims claims = new GenerationClaims();

	/** Lets the application's own write restart the WAL without a new generation. */
	private final RestartFence fence = new RestartFence();

	/**
	 * Creates a tracker that has no generation yet.
	 * @param path the database file
	 * @param localState the engine's files next to it
	 * @param listeners told about new generations
	 * @param indexStarted run whenever a new shadow WAL (index or generation) begins, so that
	 * what was known about the previous index's checkpoints is forgotten
	 */
	GenerationTracker(Path path, LocalState localState, List<DatabaseListener> listeners, Runnable indexStarted) {
		this.path = path;
		this.walPath = SqliteFiles.walOf(path);
		this.localState = localState;
		this.listeners = listeners;
		this.indexStarted = indexStarted;
	}

	/**
	 * Continues the recorded generation if continuity can be proven, otherwise starts a new one.
	 * @param connections the engine's connections, holding the read transaction
	 * @param cleanShutdownPosition the position a clean shutdown recorded, if the database file
	 * is provably unchanged since, or {@code null}
	 * @throws IOException if the shadow WAL cannot be read or written
	 * @throws SQLException if the WAL cannot be created
	 */
	void resume(EngineConnections connections, Pos cleanShutdownPosition) throws IOException, SQLException {
		this.connections = connections;
		this.claims.began(null);
		ensureWalExists();
		Optional<String> generation = this.localState.readGeneration();
		if (generation.isEmpty()) {
			startGeneration("no generation exists yet");
			return;
		}
		long index = this.localState.lastIndex(generation.get()).orElse(-1);
		ShadowWal shadow = (index >= 0) ? ShadowWal.open(this.localState.shadowWalPath(generation.get(), index), index)
				: null;
		if (shadow == null) {
			startGeneration("the shadow WAL of generation " + generation.get() + " is missing or unreadable");
			return;
		}
		this.generation = generation.get();
		this.shadow = shadow;
		try (FileChannel wal = openWal()) {
			if (cleanShutdownPosition != null && cleanShutdownPosition.equals(currentPosition())
					&& !shadow.headerMatches(wal)) {
				logger.info("Continuing generation {} of {} after a clean shutdown or a restore, at index {}",
						this.generation, this.path, Pos.hex(index + 1));
				startIndex(wal, index + 1);
				return;
			}
			String broken = continuityProblem(wal);
			if (broken == null && !shadow.isPrefixOf(wal)) {
				// After a crash: with synchronous=NORMAL a power loss can lose a page in the middle
				// of the WAL while its last one survives. SQLite's recovery stops at the lost one
				// and writes new commits from there, which the shadow's end would never see.
				broken = "the WAL differs from the shadow WAL before its end (a crash lost part of it)";
			}
			if (broken != null) {
				startGeneration(broken);
				return;
			}
			shadow.copyFrom(wal);
			publishPosition();
			this.indexStarted.run();
			logger.info("Continuing generation {} of {} at {}", this.generation, this.path, this.position);
		}
	}

	/**
	 * Copies newly committed frames into the shadow WAL, starting a new generation first if the
	 * real WAL is no longer a continuation of it.
	 * @return the WAL bytes copied
	 * @throws IOException if the WAL cannot be read or the shadow WAL written
	 */
	long copyWal() throws IOException {
		try (FileChannel wal = openWal()) {
			long copied = followWal(wal);
			copied += this.shadow.copyFrom(wal);
			publishPosition();
			return copied;
		}
	}

	/**
	 * Makes the shadow WAL the real WAL's: keeps it if the WAL is a continuation of it, opens the
	 * next index if the application restarted the WAL under the {@link RestartFence}, and starts a
	 * new generation otherwise.
	 * @param wal the real WAL
	 * @return the WAL bytes copied into a next index it opened, else 0
	 * @throws IOException if the WAL cannot be read or a shadow WAL written
	 */
	long followWal(FileChannel wal) throws IOException {
		String broken = continuityProblem(wal);
		if (broken == null) {
			return 0;
		}
		if (wal.size() >= WalHeader.SIZE && this.fence.holds(this.connections.readLockEpoch(), this.shadow)
				&& this.fence.restartedOnce(WalScanner.readHeader(wal))) {
			// Synced before the next index exists (see ShadowWal#copyWithoutSync).
			this.shadow.sync();
			// Off read slot 0 and onto the new WAL, which the engine then pins as usual. A restart
			// in between (the fence is down for that moment) shows in the header read after it.
			renewReadLock();
			if (this.fence.restartedOnce(WalScanner.readHeader(wal))) {
				return startIndex(wal, this.shadow.index() + 1, true);
			}
			broken = "the WAL restarted more than once before its frames were copied";
		}
		startGeneration(broken);
		return 0;
	}

	/**
	 * Sets the {@link RestartFence}: the engine's read transaction, just begun under the write
	 * lock, reads a WAL whose every frame is checkpointed and in the shadow WAL (or, at open, reads
	 * the database file only and began before the shadow WAL's last copy of such a WAL).
	 */
	void fenceRestart() {
		this.fence.set(this.connections.readLockEpoch(), this.shadow);
	}

	/**
	 * Whether the WAL is fully checkpointed and fenced, with nothing written since: the next
	 * application write restarts it, and there is nothing to checkpoint meanwhile.
	 * @return {@code true} if so
	 */
	boolean restartAwaited() {
		return this.fence.holds(this.connections.readLockEpoch(), this.shadow);
	}

	private void renewReadLock() throws IOException {
		try {
			this.connections.renewReadLock();
		}
		catch (SQLException ex) {
			throw new IOException("Cannot take the read transaction on " + this.path + " again: " + ex.getMessage(),
					ex);
		}
	}

	/**
	 * Why the real WAL cannot be a continuation of the shadow WAL.
	 * @param wal the real WAL
	 * @return the reason, or {@code null} if it is a continuation
	 * @throws IOException if the WAL cannot be read
	 */
	String continuityProblem(FileChannel wal) throws IOException {
		if (wal.size() < this.shadow.size()) {
			return "the WAL was truncated by another process (" + wal.size() + " bytes, shadow WAL has "
					+ this.shadow.size() + ")";
		}
		if (!this.shadow.headerMatches(wal)) {
			return "the WAL was restarted or replaced by another process";
		}
		if (!this.shadow.lastFrameMatches(wal)) {
			return "the WAL was overwritten by another process";
		}
		return null;
	}

	/**
	 * Continues the generation with a new shadow WAL for the real WAL's new content.
	 * @param wal the real WAL, restarted since the current index
	 * @param index the new index
	 * @throws IOException if the shadow WAL cannot be written
	 */
	void startIndex(FileChannel wal, long index) throws IOException {
		startIndex(wal, index, false);
	}

	/**
	 * Continues the generation with a new shadow WAL.
	 * @param framesAreNew whether the frames already in the new WAL are changes a time-based
	 * checkpoint should move (the application's, after it restarted the WAL) rather than the
	 * engine's own write or what the index began with
	 * @return the WAL bytes copied into the new shadow WAL
	 */
	private long startIndex(FileChannel wal, long index, boolean framesAreNew) throws IOException {
		if (index > Pos.MAX_INDEX) {
			startGeneration("the WAL index reached its maximum");
			return 0;
		}
		ShadowWal next = ShadowWal.create(this.localState.shadowWalPath(this.generation, index), index, wal);
		this.shadow.close();
		this.shadow = next;
		this.fence.clear();
		if (framesAreNew) {
			this.indexStarted.run();
		}
		long copied = next.copyFrom(wal);
		publishPosition();
		if (!framesAreNew) {
			this.indexStarted.run();
		}
		return copied;
	}

	/**
	 * Starts a new generation at index 0 with the real WAL as it is, and forgets the others.
	 * @param reason why continuity is lost, for the log and the listeners
	 * @throws IOException if the shadow WAL or the generation file cannot be written
	 */
	void startGeneration(String reason) throws IOException {
		String generation = GenerationClaims.newName();
		try {
			ensureWalExists();
		}
		catch (SQLException ex) {
			throw new IOException("Cannot start generation for " + this.path + ": " + ex.getMessage(), ex);
		}
		ShadowWal next;
		try (FileChannel wal = openWal()) {
			next = ShadowWal.create(this.localState.shadowWalPath(generation, 0), 0, wal);
			next.copyFrom(wal);
		}
		if (this.shadow != null) {
			this.shadow.close();
		}
		this.shadow = next;
		this.fence.clear();
		this.generation = generation;
		this.claims.began(generation);
		this.localState.writeGeneration(generation);
		this.localState.removeGenerationsExcept(generation);
		publishPosition();
		this.indexStarted.run();
		logger.info("Started generation {} for {}: {}", generation, this.path, reason);
		this.listeners.forEach((listener) -> listener.onGeneration(generation, reason));
	}

	/**
	 * Makes SQLite create the WAL if it is missing or shorter than its header.
	 * @throws SQLException if the write fails
	 */
	void ensureWalExists() throws SQLException {
		try {
			if (Files.exists(this.walPath) && Files.size(this.walPath) >= WalHeader.SIZE) {
				return;
			}
		}
		catch (IOException ex) {
			// Treat an unreadable size like a missing WAL: the write below recreates it.
		}
		this.connections.bumpSequence();
	}

	/**
	 * A channel on the real WAL for one step. SQLite holds no lock on the WAL file, so closing it
	 * is harmless; it ignores interrupts all the same, because a step that fails in the middle of
	 * a checkpoint (after the WAL restarted) costs a new generation.
	 * @return a new channel, to close after the step
	 * @throws IOException if the WAL cannot be opened
	 */
	FileChannel openWal() throws IOException {
		return UninterruptibleReadChannel.open(this.walPath);
	}

	/**
	 * The real WAL file.
	 * @return its path
	 */
	Path walPath() {
		return this.walPath;
	}

	/**
	 * The shadow WAL of the current index.
	 * @return the shadow WAL
	 */
	ShadowWal shadow() {
		return this.shadow;
	}

	/**
	 * The shadow WAL's end, which may be ahead of the published {@link #position()}.
	 * @return the position
	 */
	Pos currentPosition() {
		return new Pos(this.generation, this.shadow.index(), this.shadow.size());
	}

	/**
	 * Makes the shadow WAL's end the position replicas and snapshots see.
	 */
	void publishPosition() {
		this.position = currentPosition();
	}

	/**
	 * The replicas' claims on the generation {@link #startGeneration} began since the last
	 * {@link #resume}; safe to use from any thread.
	 * @return the claims
	 */
	GenerationClaims claims() {
		return this.claims;
	}

	/**
	 * The position last published; safe to read from any thread.
	 * @return the position, or {@code null} before {@link #resume}
	 */
	Pos position() {
		return this.position;
	}

	/**
	 * Closes the current shadow WAL file.
	 * @throws IOException if it cannot be closed
	 */
	void close() throws IOException {
		if (this.shadow != null) {
			this.shadow.close();
		}
	}

}

package io.github.litestream.db;

import io.github.litestream.sqlite.WalHeader;

/**
 * The proof that lets an application write restart the WAL, instead of a write of the engine's,
 * and the index still go on without a gap.
 *
 * <p>The engine used to restart an emptied WAL with one write of its own. Any commit while an
 * application transaction reads makes that transaction's snapshot stale, and if it then writes it
 * fails with {@code SQLITE_BUSY_SNAPSHOT}, which no busy timeout cures: an application that starts
 * transactions deferred and reads before it writes failed now and then with the engine as the only
 * other writer. So the engine writes nothing; the application's next write restarts the WAL itself,
 * and the next capture must tell that restart from one that lost frames.
 *
 * <p>The fence is set under the write lock, right after a checkpoint moved every frame of the WAL
 * into the database file and the shadow WAL holds all of them: the engine then begins its read
 * transaction, which on a fully checkpointed WAL reads the database file only (SQLite's read slot
 * 0). While that one transaction lasts:
 * <ul>
 * <li>no connection can move a frame into the database file (a checkpoint needs slot 0
 * exclusively), so the count of checkpointed frames stays what the fence recorded;</li>
 * <li>SQLite restarts only a WAL whose every frame is checkpointed, so a restart can only
 * happen while the WAL still ends where the shadow WAL ends: it cannot overwrite a frame the engine
 * did not copy, and the database file is then exactly the old index's end state;</li>
 * <li>after one restart the new WAL's frames cannot be checkpointed either, so it cannot restart
 * again: SQLite adds one to the first salt at each restart, and a WAL whose first salt is the
 * fenced one plus one is that single restart.</li>
 * </ul>
 * (Should SQLite give the transaction a read mark at the WAL's end instead, because another
 * connection held slot 0 for a moment, the WAL cannot restart at all while it lasts.)
 * Frames appended to the old WAL instead (a reader that began before the fence keeps SQLite from
 * restarting it) are copied to the same index as usual; the WAL then cannot restart until the
 * fence ends. Whenever the engine's read transaction ends (the next checkpoint's rounds, a failed
 * step), the fence lapses, and a restarted WAL is judged as before: a new generation unless the
 * checkpoint procedure can prove otherwise. So a restart that already happened must be followed
 * before the engine ends that transaction: the checkpoint's step (2) does so under the write lock,
 * where no further restart can happen (without it, the checkpoint moved the new WAL's frames into
 * the database file unseen, and the next write could restart the WAL over them).
 *
 * <p>At open the fence is set without the write lock ({@link Backfill#fenceAtOpen()}) when the
 * WAL is found fully checkpointed and the engine's read transaction reads the database file only
 * (read slot 0), since a previous run or another connection may have left the WAL so. That
 * transaction then began before the shadow WAL's last copy rather than right after it, which
 * proves as much: the WAL was fully checkpointed when it began and nothing can be checkpointed
 * since, so a restart can only come where the WAL ended then, which the copy reached, and none at
 * all once the WAL grew past that. A restart during the copy, which could have cut it short, shows
 * as a WAL that no longer starts with the shadow's header after it, and then no fence is set. When
 * the transaction holds a read mark instead (the usual case: the WAL had frames the database file
 * lacked when it began), nothing restarts the WAL while it lasts and no fence is set, so that
 * the checkpoints go on as usual.
 *
 * <p>Not thread-safe: the database's monitor lock guards it, as it guards the tracker.
 */
final class RestartFence {

	/** The engine's read transaction that the proof relies on, or -1 when none is set. */
	private long readLockEpoch = -1;

	private WalHeader header;

	private long frames;

	/**
	 * Sets the fence. Call it under the write lock, right after beginning the engine's read
	 * transaction on a WAL whose every frame is both checkpointed and in the shadow WAL (or at
	 * open, as the class documentation says).
	 * @param readLockEpoch the read transaction just begun
	 * @param shadow the shadow WAL, holding every frame of the WAL
	 */
	void set(long readLockEpoch, ShadowWal shadow) {
		this.readLockEpoch = readLockEpoch;
		this.header = shadow.header();
		this.frames = shadow.frameCount();
	}

	/** Forgets the fence: a new index or generation began. */
	void clear() {
		this.readLockEpoch = -1;
		this.header = null;
	}

	/**
	 * Whether the fence still holds on the shadow WAL's index and nothing was added to it since:
	 * the WAL is fully checkpointed and waits for the application's next write to restart it.
	 * @param readLockEpoch the engine's read transaction now
	 * @param shadow the current shadow WAL
	 * @return {@code true} if so
	 */
	boolean holds(long readLockEpoch, ShadowWal shadow) {
		return this.readLockEpoch >= 0 && this.readLockEpoch == readLockEpoch && this.header != null
				&& this.header.equals(shadow.header()) && this.frames == shadow.frameCount();
	}

	/**
	 * Whether a WAL header is the fenced WAL's after exactly one restart.
	 * @param current the real WAL's header now
	 * @return {@code true} if so
	 */
	boolean restartedOnce(WalHeader current) {
		return this.header != null && current.magic() == this.header.magic()
				&& current.pageSize() == this.header.pageSize() && current.salt1() == this.header.salt1() + 1;
	}

}

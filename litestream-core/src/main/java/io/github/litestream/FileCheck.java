package io.github.litestream;

/**
 * When a leased database's existing file is compared with its replicas before the engine
 * writes to them (see {@link DivergedFile}): a file that another instance's replication left
 * behind must never be replicated, or the generation it starts would hide that instance's
 * commits from every restore.
 */
public enum FileCheck {

	/**
	 * Compared already, or nothing to compare (the file was restored, or created, by this
	 * process): replicated as soon as the lease allows. The default of a database added to an
	 * engine, and of one a {@link DatabaseRegistry} restored or created.
	 */
	DONE,

	/**
	 * Compared with a replica when the engine first takes its lease, if another instance held
	 * that lease before: for a file that existed before the engine, when nobody compared it (a
	 * store that did not answer at boot; a file a {@link DatabaseRegistry} registers as it
	 * finds it).
	 */
	IF_ANOTHER_HELD_THE_LEASE,

	/**
	 * Compared with each replica before the engine first writes to it, whoever held its lease
	 * before: the comparison was due before the engine started (restore-on-boot) and could not
	 * be made, and a lease taken ahead of the engine, which another instance may have held, is
	 * handed over to it as its own.
	 */
	BEFORE_FIRST_WRITE

}

package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;

/**
 * Thrown at startup when restore-on-boot could not restore a missing database from one of its
 * replicas: the replica could not be listed or read, or its backup is damaged. Unlike a
 * {@link LitestreamConfigurationException}, the configuration may be right; the replica is
 * what failed. {@link LitestreamRestoreFailureAnalyzer} turns it into the failure report.
 */
public class LitestreamRestoreException extends RuntimeException {

	private final Path database;

	private final String databaseProperty;

	private final String replicaName;

	private final String replicaLocation;

	private final boolean damage;

	/**
	 * Creates an exception.
	 * @param database the database file that was being restored
	 * @param databaseProperty the property prefix of its entry, such as {@code litestream.dbs[0]}
	 * @param replicaName the name of the replica that failed
	 * @param replicaLocation where that replica lives ({@code ReplicaClient#location()}, never
	 * with credentials), such as {@code s3://bucket/path} or a directory
	 * @param damage whether the replica holds a damaged backup (a missing or corrupt object),
	 * rather than being unreadable
	 * @param cause the underlying failure
	 */
	public LitestreamRestoreException(Path database, String databaseProperty, String replicaName,
			String replicaLocation, boolean damage, Throwable cause) {
		super("could not restore " + database + " from replica '" + replicaName + "' (" + replicaLocation + "): "
				+ describe(cause), cause);
		this.database = database;
		this.databaseProperty = databaseProperty;
		this.replicaName = replicaName;
		this.replicaLocation = replicaLocation;
		this.damage = damage;
	}

	/**
	 * The engine's messages say what failed; a JDK or SDK exception's message may be just a
	 * file name (NotDirectoryException), so its type goes first.
	 */
	private static String describe(Throwable cause) {
		if (cause.getMessage() == null) {
			return cause.getClass().getName();
		}
		if (cause.getClass().getName().startsWith("io.github.litestream.")) {
			return cause.getMessage();
		}
		return cause.getClass().getSimpleName() + ": " + cause.getMessage();
	}

	/**
	 * The database file that was being restored.
	 * @return the file
	 */
	public Path getDatabase() {
		return this.database;
	}

	/**
	 * The property prefix of the database's entry.
	 * @return the prefix, such as {@code litestream.dbs[0]}
	 */
	public String getDatabaseProperty() {
		return this.databaseProperty;
	}

	/**
	 * The replica that failed.
	 * @return its name
	 */
	public String getReplicaName() {
		return this.replicaName;
	}

	/**
	 * Where the replica that failed lives.
	 * @return its location, without credentials
	 */
	public String getReplicaLocation() {
		return this.replicaLocation;
	}

	/**
	 * Whether the replica holds a damaged backup (a missing or corrupt object) rather than
	 * being unreadable.
	 * @return whether the backup is damaged
	 */
	public boolean isDamage() {
		return this.damage;
	}

}

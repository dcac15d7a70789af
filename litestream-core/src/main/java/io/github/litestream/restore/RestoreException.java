package io.github.litestream.restore;

import java.io.IOException;
import java.util.Optional;

/**
 * Why a restore failed. Every message names the replica, the object or position involved and
 * what the user can do about it; nothing is ever left at the output path when it is thrown.
 */
public class RestoreException extends IOException {

	private final transient DamagedObject damagedObject;

	/**
	 * Creates a new exception.
	 * @param message what failed, where, and the fix
	 */
	public RestoreException(String message) {
		this(message, (DamagedObject) null, null);
	}

	/**
	 * Creates a new exception.
	 * @param message what failed, where, and the fix
	 * @param cause the underlying failure
	 */
	public RestoreException(String message, Throwable cause) {
		this(message, null, cause);
	}

	/**
	 * Creates a new exception about an object of the replica.
	 * @param message what failed, where, and the fix
	 * @param damagedObject the object that is missing or unusable, or {@code null}
	 * @param cause the underlying failure, or {@code null}
	 */
	public RestoreException(String message, DamagedObject damagedObject, Throwable cause) {
		super(message, cause);
		this.damagedObject = damagedObject;
	}

	/**
	 * The replica object that made the restore fail, when one did.
	 * @return the object, or empty when the failure is not about one object
	 */
	public Optional<DamagedObject> damagedObject() {
		return Optional.ofNullable(this.damagedObject);
	}

}

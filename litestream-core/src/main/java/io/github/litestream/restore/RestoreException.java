package io.github.litestream.restore;

import java.io.IOException;
import java.util.Optional;

import io.github.litestream.age.AgeException;

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
	 * A restore that failed because an object could not be decrypted with the configured age
	 * identities: a key problem, not damage, so no fallback to an older point is tried (it
	 * would silently restore less).
	 * @param object which object, such as {@code snapshot <key> in <replica>}
	 * @param ex the failure, naming the recipients tried
	 * @return the exception
	 */
	static RestoreException noIdentity(String object, AgeException ex) {
		Throwable root = ex;
		while (root.getCause() instanceof AgeException cause) {
			root = cause;
		}
		return new RestoreException("Cannot decrypt " + object + ": " + root.getMessage() + ". Add the identity "
				+ "(AGE-SECRET-KEY-1…) of one of the object's recipients to the replica's age.identities or "
				+ "age.identity-files; after a key rotation, keep the old identities until the objects encrypted for "
				+ "them are gone", ex);
	}

	/**
	 * Whether a failure is that no age identity could decrypt an object.
	 * @param ex the failure
	 * @return the age failure, if it is one of kind {@code NO_MATCH}
	 */
	static Optional<AgeException> noIdentityCause(Throwable ex) {
		return (ex instanceof AgeException age && age.kind() == AgeException.Kind.NO_MATCH) ? Optional.of(age)
				: Optional.empty();
	}

	/**
	 * The replica object that made the restore fail, when one did.
	 * @return the object, or empty when the failure is not about one object
	 */
	public Optional<DamagedObject> damagedObject() {
		return Optional.ofNullable(this.damagedObject);
	}

}

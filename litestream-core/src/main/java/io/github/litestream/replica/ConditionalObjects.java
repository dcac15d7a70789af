package io.github.litestream.replica;

import java.io.IOException;
import java.util.Optional;

/**
 * Small objects kept at a replica's root, beside {@code generations/}, that are written only
 * if they are unchanged since they were read: what a lease on the replica needs. A backend
 * maps these onto its store's own conditional writes (S3 {@code If-None-Match: *} and
 * {@code If-Match}, Azure ETags, an exclusive create on a file system), so that of two
 * writers racing from the same version exactly one succeeds.
 *
 * <p>Names are single path segments such as {@code lease.json}; the backend places them under
 * its replica path. Versions are opaque to callers and only compared by the store.
 */
public interface ConditionalObjects {

	/**
	 * Reads an object and its current version.
	 * @param name the object's name at the replica root
	 * @return the object, or empty if it does not exist
	 * @throws IOException if the store cannot be read
	 */
	Optional<VersionedObject> read(String name) throws IOException;

	/**
	 * Creates an object only if none exists under that name.
	 * @param name the object's name at the replica root
	 * @param content the whole content
	 * @return the new version
	 * @throws ConditionalWriteConflictException if the object exists
	 * @throws IOException if the store cannot be written
	 */
	String create(String name, byte[] content) throws IOException;

	/**
	 * Replaces an object only if its version is still the one given.
	 * @param name the object's name at the replica root
	 * @param content the whole new content
	 * @param version the version the caller read
	 * @return the new version
	 * @throws ConditionalWriteConflictException if the object changed or no longer exists
	 * @throws IOException if the store cannot be written
	 */
	String replace(String name, byte[] content, String version) throws IOException;

	/**
	 * Checks what the store's guarantee rests on where refused writes cannot show it: a backend
	 * that decides some conflicts itself (from a listing) before asking the store. Run once by a
	 * lease before it relies on the store, besides writes that must be refused.
	 * @return why two writers could both succeed, or empty if they cannot
	 * @throws IOException if the store cannot be checked
	 */
	default Optional<String> exclusivityProblem() throws IOException {
		return Optional.empty();
	}

	/**
	 * Removes the replica location again if this instance's writes created it, with the objects
	 * they wrote: a start that failed before it replicated anything gave its leases back, and
	 * leaves a (maybe mistyped) path as it found it. Anything another writer put there since
	 * stays, and so does the location then. Stores without a location to create do nothing.
	 * @throws IOException if what was created cannot be removed
	 */
	default void removeCreatedLocation() throws IOException {
	}

	/**
	 * One version of an object.
	 * @param content its bytes
	 * @param version its version, to pass to {@link #replace}
	 */
	record VersionedObject(byte[] content, String version) {
	}

}

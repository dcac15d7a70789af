package io.github.litestream;

import java.nio.file.Path;

/**
 * Every object of a replica as local files, so that the checks reading a replica as the stock
 * Litestream CLI does ({@link StockLayout}, {@link CliRestore}) see its real keys and bytes
 * whatever the store: a file replica is its own directory, an object store is downloaded.
 */
@FunctionalInterface
public interface ReplicaObjects {

	/**
	 * A directory holding every object below the replica's root, each at its key relative to
	 * the root.
	 * @param scratch an empty directory the objects may be copied to
	 * @return the directory
	 * @throws Exception if the store cannot be listed or read
	 */
	Path localTree(Path scratch) throws Exception;

	/**
	 * The objects of a file replica: its directory, read in place.
	 * @param root the replica's directory
	 * @return them
	 */
	static ReplicaObjects directory(Path root) {
		return (scratch) -> root;
	}

}

package io.github.litestream.replica;

/**
 * The kinds of request a replica backend makes, for counting (S3 pricing is per request kind).
 */
public enum ReplicaOperation {

	/** Reads an object. */
	GET,

	/** Writes an object (or one part of a multipart upload). */
	PUT,

	/** Lists objects (one page). */
	LIST,

	/** Deletes objects (one request, which may delete many). */
	DELETE

}

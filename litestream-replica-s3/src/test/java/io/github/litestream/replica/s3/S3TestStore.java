package io.github.litestream.replica.s3;

/**
 * A real S3-compatible server a test runs against (S3Proxy in this JVM, or MinIO in Docker),
 * so the same scenarios run on each.
 */
interface S3TestStore {

	/**
	 * Creates an empty bucket with a fresh name, so tests sharing the server do not see each
	 * other.
	 * @return its name
	 */
	String createBucket();

	/**
	 * Creates a bucket with the given name.
	 * @param bucket the name
	 */
	void createBucket(String bucket);

	/**
	 * A configuration for the server, without credentials.
	 * @param bucket the bucket
	 * @param path the key prefix
	 * @return a builder to finish
	 */
	S3ReplicaConfig.Builder configBuilder(String bucket, String path);

	/**
	 * The access key id the server accepts.
	 * @return the key id
	 */
	String accessKeyId();

	/**
	 * The secret access key the server accepts.
	 * @return the secret
	 */
	String secretAccessKey();

	/**
	 * Makes the server unavailable, keeping its objects.
	 * @throws Exception if it cannot
	 */
	void interrupt() throws Exception;

	/**
	 * Makes the server available again on the same endpoint.
	 * @throws Exception if it cannot
	 */
	void resume() throws Exception;

	/**
	 * Whether requests fail while {@link #interrupt() interrupted} (a stopped server refuses
	 * connections) rather than hang until {@link #resume()} (a paused container).
	 * @return {@code true} if they fail
	 */
	boolean interruptionFailsRequests();

}

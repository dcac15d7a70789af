package io.github.litestream.benchmarks;

import java.io.InputStream;

/**
 * S3Proxy in a JVM of its own, for the cold-restore scenario: a restore-on-boot in a container
 * reads from a store that does not share its process. Reads the secret key from the
 * environment ({@code BENCH_S3_SECRET}), prints {@code url=… endpoint=…} for one new bucket,
 * and stops when its standard input closes.
 */
public final class S3ServerProcess {

	/** The environment variable that carries the secret key (never a command-line argument). */
	static final String SECRET_VARIABLE = "BENCH_S3_SECRET";

	private S3ServerProcess() {
	}

	/**
	 * Runs the server until standard input ends.
	 * @param args none
	 * @throws Exception if the server cannot start
	 */
	public static void main(String[] args) throws Exception {
		try (S3Server server = new S3Server(System.getenv(SECRET_VARIABLE))) {
			System.out.println("url=" + server.newBucketUrl() + " endpoint=" + server.endpoint());
			System.out.flush();
			InputStream in = System.in;
			while (in.read() >= 0) {
				// Wait for the parent to close the pipe (or to die).
			}
		}
	}

}

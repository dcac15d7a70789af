package io.github.litestream.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.s3.S3ClientFactory;
import io.github.litestream.replica.s3.S3ReplicaClient;
import io.github.litestream.replica.s3.S3ReplicaConfig;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The harness's side of an {@link S3ServerProcess}: S3Proxy in a JVM of its own, as a user's
 * store is. A scenario that measures the application's own JVM (its commits, a restore in a
 * fresh process) uses it, so that the objects S3Proxy keeps in memory, its threads and its
 * garbage do not count as the engine's.
 */
final class S3ServerChild implements AutoCloseable {

	private final Process process;

	private final String secret;

	private final String url;

	private final String endpoint;

	/** One SDK client for every replica: endpoint and credentials are the same. */
	private S3Client sdkClient;

	private S3ServerChild(Process process, String secret, String url, String endpoint) {
		this.process = process;
		this.secret = secret;
		this.url = url;
		this.endpoint = endpoint;
	}

	/**
	 * Starts S3Proxy in a new JVM with one new bucket.
	 * @return the running server
	 * @throws IOException if the process cannot start
	 */
	static S3ServerChild start() throws IOException {
		String secret = "bench-secret-" + UUID.randomUUID();
		ProcessBuilder builder = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
				S3ServerProcess.class.getName());
		builder.environment().put(S3ServerProcess.SECRET_VARIABLE, secret);
		builder.redirectError(ProcessBuilder.Redirect.DISCARD);
		Process process = builder.start();
		BufferedReader out = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		String line = out.readLine();
		if (line == null || !line.startsWith("url=")) {
			process.destroyForcibly();
			throw new IOException("S3Proxy's process did not start: " + line);
		}
		String[] parts = line.split(" ");
		return new S3ServerChild(process, secret, parts[0].substring("url=".length()),
				parts[1].substring("endpoint=".length()));
	}

	/** The replica URL of path {@code db} in the server's bucket (what {@code replica("db", …)} reads). */
	String url() {
		return this.url;
	}

	String endpoint() {
		return this.endpoint;
	}

	/** The secret key, which a child restoring from this server finds in {@link S3ServerProcess#SECRET_VARIABLE}. */
	String secret() {
		return this.secret;
	}

	/** The credentials as Litestream's own tool reads them from its environment. */
	Map<String, String> litestreamCredentials() {
		return Map.of("LITESTREAM_ACCESS_KEY_ID", S3Server.ACCESS_KEY_ID, "LITESTREAM_SECRET_ACCESS_KEY", this.secret);
	}

	/**
	 * A client for a replica at another path of the server's bucket.
	 * @param path the replica's path in the bucket
	 * @param listener told about every request
	 * @return the client (its SDK client, shared by all, is closed with this server)
	 */
	synchronized S3ReplicaClient replica(String path, ReplicaOperationListener listener) {
		S3ReplicaConfig config = S3ReplicaConfig.builder()
			.url("s3://" + URI.create(this.url).getHost() + "/" + path)
			.endpoint(this.endpoint)
			.credentials(S3Server.ACCESS_KEY_ID, this.secret)
			.build();
		if (this.sdkClient == null) {
			this.sdkClient = S3ClientFactory.builder().environment((name) -> null).build().create(config);
		}
		return new S3ReplicaClient(this.sdkClient, config, listener);
	}

	/** Stops the server: it exits when its standard input closes. */
	@Override
	public synchronized void close() throws Exception {
		if (this.sdkClient != null) {
			this.sdkClient.close();
		}
		this.process.getOutputStream().close();
		if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
		}
	}

	static String java() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

}

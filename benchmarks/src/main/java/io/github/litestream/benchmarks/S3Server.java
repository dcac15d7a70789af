package io.github.litestream.benchmarks;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;
import java.util.UUID;

import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.s3.S3ClientFactory;
import io.github.litestream.replica.s3.S3ReplicaClient;
import io.github.litestream.replica.s3.S3ReplicaConfig;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3Proxy in the harness's JVM on {@code 127.0.0.1}, keeping objects in memory and checking
 * signatures: a real S3 protocol path (HTTP, signing, XML) without a network in the numbers.
 */
final class S3Server implements AutoCloseable {

	static final String ACCESS_KEY_ID = "bench-access-key";

	private final String secretAccessKey;

	private final BlobStore blobStore = new TransientNio2BlobStore();

	private final S3ClientFactory factory = S3ClientFactory.builder().environment((name) -> null).build();

	/** One SDK client for every bucket: endpoint and credentials are the same. */
	private S3Client sdkClient;

	private final S3Proxy proxy;

	private final int port;

	S3Server() throws Exception {
		this("bench-secret-" + UUID.randomUUID());
	}

	/**
	 * Starts a server that accepts one secret key.
	 * @param secretAccessKey the secret (of access key {@value #ACCESS_KEY_ID})
	 * @throws Exception if the server cannot start
	 */
	S3Server(String secretAccessKey) throws Exception {
		this.secretAccessKey = secretAccessKey;
		this.port = freePort();
		this.proxy = S3Proxy.builder()
			.blobStore(this.blobStore)
			.endpoint(URI.create(endpoint()))
			.awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY_ID, this.secretAccessKey)
			.build();
		this.proxy.start();
	}

	/**
	 * A client for a new, empty bucket.
	 * @param listener told about every request
	 * @return the client (its SDK client, shared by all, is closed with this server)
	 */
	synchronized S3ReplicaClient newReplica(ReplicaOperationListener listener) {
		return replica(newBucketUrl(), listener);
	}

	/**
	 * A client for a replica URL of {@link #newBucketUrl()}.
	 * @param url the replica URL
	 * @param listener told about every request
	 * @return the client (its SDK client, shared by all, is closed with this server)
	 */
	synchronized S3ReplicaClient replica(String url, ReplicaOperationListener listener) {
		S3ReplicaConfig config = config(url);
		if (this.sdkClient == null) {
			this.sdkClient = this.factory.create(config);
		}
		return new S3ReplicaClient(this.sdkClient, config, listener);
	}

	/**
	 * The configuration of a replica URL of {@link #newBucketUrl()}, with the credentials.
	 * @param url the replica URL
	 * @return the configuration
	 */
	S3ReplicaConfig config(String url) {
		return S3ReplicaConfig.builder()
			.url(url)
			.endpoint(endpoint())
			.credentials(ACCESS_KEY_ID, this.secretAccessKey)
			.build();
	}

	/**
	 * Creates a new, empty bucket.
	 * @return the replica URL of path {@code db} in it
	 */
	synchronized String newBucketUrl() {
		String bucket = "bench-" + UUID.randomUUID().toString().substring(0, 18);
		this.blobStore.createContainer(bucket);
		return "s3://" + bucket + "/db";
	}

	/**
	 * What another process needs to reach this server, as Litestream's environment variables.
	 * @return the credentials
	 */
	Map<String, String> credentialsEnvironment() {
		return Map.of("LITESTREAM_ACCESS_KEY_ID", ACCESS_KEY_ID, "LITESTREAM_SECRET_ACCESS_KEY", this.secretAccessKey);
	}

	String endpoint() {
		return "http://127.0.0.1:" + this.port;
	}

	@Override
	public synchronized void close() throws Exception {
		if (this.sdkClient != null) {
			this.sdkClient.close();
		}
		this.proxy.stop();
	}

	private static int freePort() throws Exception {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress("127.0.0.1", 0));
			return socket.getLocalPort();
		}
	}

}

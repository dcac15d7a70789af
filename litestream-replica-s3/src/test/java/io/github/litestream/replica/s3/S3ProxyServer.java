package io.github.litestream.replica.s3;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.UUID;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real S3 server for tests: S3Proxy running in this JVM on {@code 127.0.0.1}, storing objects
 * in memory and checking AWS signatures. Register it with {@code @RegisterExtension static}; it
 * starts before the class's tests and stops after them. {@link #stop()} and {@link #start()}
 * simulate an outage: the server comes back on the same port with the same objects.
 */
public final class S3ProxyServer implements S3TestStore, BeforeAllCallback, AfterAllCallback {

	/** The access key id the server accepts. */
	public static final String ACCESS_KEY_ID = "test-access-key";

	/** The secret access key the server accepts. */
	public static final String SECRET_ACCESS_KEY = "test-secret-key-" + UUID.randomUUID();

	private final BlobStore blobStore = new TransientNio2BlobStore();

	private int port;

	private S3Proxy proxy;

	@Override
	public void beforeAll(ExtensionContext context) throws Exception {
		this.port = freePort();
		start();
	}

	@Override
	public void afterAll(ExtensionContext context) throws Exception {
		stop();
	}

	/**
	 * Starts the server (again) on its port, with the objects it held before.
	 * @throws Exception if it cannot start
	 */
	public synchronized void start() throws Exception {
		if (this.proxy != null) {
			return;
		}
		S3Proxy proxy = S3Proxy.builder()
			.blobStore(this.blobStore)
			.endpoint(endpoint())
			.awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
			.build();
		proxy.start();
		this.proxy = proxy;
	}

	/**
	 * Stops the server; requests then fail with a refused connection.
	 * @throws Exception if it cannot stop
	 */
	public synchronized void stop() throws Exception {
		if (this.proxy != null) {
			this.proxy.stop();
			this.proxy = null;
		}
	}

	/**
	 * The server's endpoint.
	 * @return {@code http://127.0.0.1:<port>}
	 */
	public URI endpoint() {
		return URI.create("http://127.0.0.1:" + this.port);
	}

	/**
	 * Creates a bucket with a fresh name, so tests sharing the server do not see each other.
	 * @return the bucket name
	 */
	@Override
	public String createBucket() {
		String bucket = "test-" + UUID.randomUUID().toString().substring(0, 18);
		createBucket(bucket);
		return bucket;
	}

	/**
	 * Creates a bucket with the given name, for example one a replica was told to use before
	 * it existed.
	 * @param bucket the bucket name
	 */
	@Override
	public void createBucket(String bucket) {
		this.blobStore.createContainer(bucket);
	}

	/**
	 * A replica configuration for this server with the right credentials.
	 * @param bucket the bucket
	 * @param path the key prefix
	 * @return the configuration
	 */
	public S3ReplicaConfig config(String bucket, String path) {
		return configBuilder(bucket, path).credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY).build();
	}

	/**
	 * A replica configuration for this server without credentials.
	 * @param bucket the bucket
	 * @param path the key prefix
	 * @return the builder, to add credentials or other settings
	 */
	@Override
	public S3ReplicaConfig.Builder configBuilder(String bucket, String path) {
		return S3ReplicaConfig.builder().bucket(bucket).path(path).endpoint(endpoint().toString());
	}

	@Override
	public String accessKeyId() {
		return ACCESS_KEY_ID;
	}

	@Override
	public String secretAccessKey() {
		return SECRET_ACCESS_KEY;
	}

	@Override
	public void interrupt() throws Exception {
		stop();
	}

	@Override
	public void resume() throws Exception {
		start();
	}

	@Override
	public boolean interruptionFailsRequests() {
		return true;
	}

	private static int freePort() throws Exception {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress("127.0.0.1", 0));
			return socket.getLocalPort();
		}
	}

}

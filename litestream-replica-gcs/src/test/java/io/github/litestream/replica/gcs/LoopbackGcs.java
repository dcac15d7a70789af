package io.github.litestream.replica.gcs;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

import com.google.cloud.storage.Storage;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * A loopback HTTP endpoint in place of Google Cloud Storage (named by
 * {@code STORAGE_EMULATOR_HOST}, as the real client library finds an emulator), answered by the
 * test's handler, and the replica client of {@code gcs://backups/app} that talks to it. No GCS
 * server or emulator can run here.
 */
final class LoopbackGcs implements AutoCloseable {

	private final HttpServer endpoint;

	private final Storage storage;

	private final GcsReplicaClient client;

	/**
	 * Starts the endpoint.
	 * @param handler answers every request
	 * @param attempts how many times the client library tries a request (10 ms apart)
	 * @throws IOException if the endpoint cannot listen
	 */
	LoopbackGcs(HttpHandler handler, int attempts) throws IOException {
		this(handler, attempts, GcsReplicaClient.CHUNK_SIZE);
	}

	/**
	 * Starts the endpoint, for a client that uploads objects larger than {@code chunkSize} in
	 * chunks of that size, with a resumable upload.
	 * @param handler answers every request
	 * @param attempts how many times the client library tries a request (10 ms apart)
	 * @param chunkSize the client's chunk size, a multiple of 256 KiB
	 * @throws IOException if the endpoint cannot listen
	 */
	LoopbackGcs(HttpHandler handler, int attempts, int chunkSize) throws IOException {
		this.endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.endpoint.createContext("/", handler);
		this.endpoint.start();
		String host = "127.0.0.1:" + this.endpoint.getAddress().getPort();
		GcsClientFactory factory = GcsClientFactory.with(Map.of(GcsClientFactory.EMULATOR_HOST_VARIABLE, host)::get,
				attempts, Duration.ofMillis(10), Duration.ofMillis(10));
		this.storage = factory.create();
		this.client = new GcsReplicaClient(this.storage, GcsReplicaConfig.fromUrl("gcs://backups/app"),
				ReplicaOperationListener.NONE, factory.target(), chunkSize, null);
	}

	/**
	 * Where the endpoint listens.
	 * @return {@code http://127.0.0.1:<port>}
	 */
	String url() {
		return "http://127.0.0.1:" + this.endpoint.getAddress().getPort();
	}

	GcsReplicaClient client() {
		return this.client;
	}

	@Override
	public void close() throws Exception {
		this.storage.close();
		this.endpoint.stop(0);
	}

}

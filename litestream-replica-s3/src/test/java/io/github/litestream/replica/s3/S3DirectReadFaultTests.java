package io.github.litestream.replica.s3;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What the network does to a direct read ({@link S3DirectReader}), from a raw socket that
 * answers as a cut or reset connection would: a body shorter than its {@code Content-Length} is
 * an error naming the object, not a shorter object; a reset connection sends requests to the
 * SDK for a while but leaves the direct way on.
 */
class S3DirectReadFaultTests {

	private static final String KEY = "db/generations/0123456789abcdef/wal/00000000_00000000.wal.lz4";

	private final S3ClientFactory factory = S3ClientFactory.builder().environment((name) -> null).build();

	private RawStore store;

	@AfterEach
	void stop() throws IOException {
		if (this.store != null) {
			this.store.close();
		}
	}

	@Test
	void aBodyCutBeforeItsContentLengthIsAnErrorNamingTheObject() throws Exception {
		byte[] half = new byte[500];
		this.store = new RawStore((out) -> {
			out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.write(half);
		});
		S3ReplicaConfig config = this.store.config();
		try (S3Connection connection = this.factory.connect(config)) {
			S3DirectReader reader = S3DirectReader.create(connection.directAccess(), config).orElseThrow();
			try (InputStream body = reader.open(KEY).orElseThrow().body()) {
				assertThatExceptionOfType(EOFException.class).isThrownBy(body::readAllBytes)
					.withMessageContaining(KEY)
					.withMessageContaining("after 500 of its 1000 bytes");
			}
		}
	}

	@Test
	void aWholeBodyReadsAsItIs() throws Exception {
		byte[] whole = "0123456789".getBytes(StandardCharsets.US_ASCII);
		this.store = new RawStore((out) -> {
			out.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.write(whole);
		});
		S3ReplicaConfig config = this.store.config();
		try (S3Connection connection = this.factory.connect(config)) {
			S3DirectReader reader = S3DirectReader.create(connection.directAccess(), config).orElseThrow();
			S3DirectReader.DirectObject object = reader.open(KEY).orElseThrow();
			try (InputStream body = object.body()) {
				ByteArrayOutputStream bytes = new ByteArrayOutputStream();
				int b;
				while ((b = body.read()) >= 0) {
					bytes.write(b);
				}
				assertThat(bytes.toByteArray()).isEqualTo(whole);
				assertThat(body.read()).as("the end, read again").isEqualTo(-1);
			}
			assertThat(object.length()).isEqualTo(10);
		}
	}

	@Test
	void aResetConnectionSendsRequestsToTheSdkForAWhileAndTheDirectWayStaysOn() throws Exception {
		this.store = new RawStore((out) -> {
			// Closed without an answer.
		});
		S3ReplicaConfig config = this.store.config();
		try (S3Connection connection = this.factory.connect(config)) {
			S3DirectReader reader = S3DirectReader.create(connection.directAccess(), config).orElseThrow();
			assertThat(reader.open(KEY)).isEmpty();
			assertThat(reader.enabled()).as("a network failure says nothing against this way").isTrue();
			int accepted = this.store.connections.get();
			assertThat(reader.open(KEY)).isEmpty();
			assertThat(this.store.connections).as("the next request went to the SDK only").hasValue(accepted);
		}
	}

	/** Accepts connections on loopback, reads a request's head and answers with {@code answer}. */
	private static final class RawStore implements AutoCloseable {

		private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

		private final AtomicInteger connections = new AtomicInteger();

		private final Thread acceptor;

		RawStore(Answer answer) throws IOException {
			this.acceptor = new Thread(() -> {
				while (!this.socket.isClosed()) {
					try (Socket client = this.socket.accept()) {
						this.connections.incrementAndGet();
						readHead(client.getInputStream());
						answer.write(client.getOutputStream());
						client.getOutputStream().flush();
					}
					catch (IOException ex) {
						// Closed by the test, or the client went away.
					}
				}
			}, "raw-store");
			this.acceptor.setDaemon(true);
			this.acceptor.start();
		}

		private static void readHead(InputStream in) throws IOException {
			int matched = 0;
			byte[] end = { '\r', '\n', '\r', '\n' };
			int b;
			while (matched < end.length && (b = in.read()) >= 0) {
				matched = (b == end[matched]) ? matched + 1 : ((b == '\r') ? 1 : 0);
			}
		}

		S3ReplicaConfig config() {
			return S3ReplicaConfig.builder()
				.bucket("raw")
				.path("db")
				.endpoint("http://127.0.0.1:" + this.socket.getLocalPort())
				.forcePathStyle(true)
				.credentials("raw-key", "raw-secret")
				.build();
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

	@FunctionalInterface
	private interface Answer {

		void write(OutputStream out) throws IOException;

	}

}

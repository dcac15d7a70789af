package io.github.litestream.replica.abs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The JDK transport's timeouts against a raw socket that behaves as a dying or slow network
 * does: a body that stops after its headers fails once no byte came for the stall timeout,
 * instead of blocking for ever; an upload slower than the response timeout but faster than the
 * slowest rate allowed for completes.
 */
class JdkAzureHttpClientTests {

	private final CountDownLatch release = new CountDownLatch(1);

	private ServerSocket server;

	@AfterEach
	void close() throws IOException {
		this.release.countDown();
		if (this.server != null) {
			this.server.close();
		}
	}

	@Test
	void aBodyThatStopsAfterItsHeadersFailsAfterTheStallTimeout() throws Exception {
		serve((in, out) -> {
			readHead(in);
			out.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			awaitRelease();
		});
		JdkAzureHttpClient transport = new JdkAzureHttpClient(Duration.ofSeconds(5), Duration.ofSeconds(5),
				Duration.ofSeconds(1));
		HttpResponse response = transport.sendSync(new HttpRequest(HttpMethod.GET, url("/c/blob?comp=list")),
				Context.NONE);
		assertThat(response.getStatusCode()).isEqualTo(200);
		try (InputStream body = response.getBodyAsInputStreamSync()) {
			assertTimeoutPreemptively(Duration.ofSeconds(30),
					() -> assertThatExceptionOfType(HttpTimeoutException.class).isThrownBy(body::readAllBytes)
						.withMessageContaining("/c/blob for 1 s")
						.withMessageNotContaining("comp=list"));
		}
	}

	@Test
	void anUploadSlowerThanTheResponseTimeoutCompletesWithinTheSlowestRateAllowedFor() throws Exception {
		int length = 64 * 1024;
		serve((in, out) -> {
			readHead(in);
			// About 3 s for the body, three times the response timeout; the slowest rate allows 4 s more.
			byte[] chunk = new byte[length / 16];
			for (int read = 0; read < length;) {
				sleep(190);
				read += in.readNBytes(chunk, 0, Math.min(chunk.length, length - read));
			}
			out.write("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			awaitRelease();
		});
		JdkAzureHttpClient transport = new JdkAzureHttpClient(Duration.ofSeconds(5), Duration.ofSeconds(1),
				Duration.ofSeconds(1));
		HttpRequest upload = new HttpRequest(HttpMethod.PUT, url("/c/blob"));
		upload.setHeader(HttpHeaderName.CONTENT_LENGTH, Integer.toString(length));
		upload.setBody(new byte[length]);

		HttpResponse response = transport.sendSync(upload, Context.NONE);

		assertThat(response.getStatusCode()).isEqualTo(201);
	}

	private URL url(String path) throws Exception {
		return new URL("http://127.0.0.1:" + this.server.getLocalPort() + path);
	}

	private void serve(Exchange exchange) throws IOException {
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		Thread thread = new Thread(() -> {
			try (Socket client = this.server.accept()) {
				exchange.run(client.getInputStream(), client.getOutputStream());
			}
			catch (IOException ex) {
				// The test is over.
			}
		}, "raw-azure");
		thread.setDaemon(true);
		thread.start();
	}

	private static void readHead(InputStream in) throws IOException {
		int matched = 0;
		byte[] end = { '\r', '\n', '\r', '\n' };
		int b;
		while (matched < end.length && (b = in.read()) >= 0) {
			matched = (b == end[matched]) ? matched + 1 : ((b == '\r') ? 1 : 0);
		}
	}

	private void awaitRelease() {
		try {
			this.release.await(60, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@FunctionalInterface
	private interface Exchange {

		void run(InputStream in, OutputStream out) throws IOException;

	}

}

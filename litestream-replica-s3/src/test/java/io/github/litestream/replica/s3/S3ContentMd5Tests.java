package io.github.litestream.replica.s3;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaOperationListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retention against an S3-compatible store that wants {@code Content-MD5} on DeleteObjects, as
 * MinIO before 2025 and Ceph RGW do (and as Litestream's Go SDK sends it): a loopback server
 * that answers as such a store does, 400 {@code MissingContentMD5} without the header.
 */
class S3ContentMd5Tests {

	private static final String DELETED = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
			+ "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></DeleteResult>";

	private static final String MISSING_MD5 = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error>"
			+ "<Code>MissingContentMD5</Code><Message>Missing required header for this request: Content-Md5.</Message>"
			+ "</Error>";

	private final AtomicInteger deletes = new AtomicInteger();

	private HttpServer store;

	@BeforeEach
	void start() throws Exception {
		this.store = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.store.createContext("/", this::answer);
		this.store.start();
	}

	@AfterEach
	void stop() {
		this.store.stop(0);
	}

	@Test
	void deletingSegmentsSendsTheContentMd5AnOlderStoreRequires() throws Exception {
		S3ReplicaConfig config = S3ReplicaConfig.builder()
			.bucket("backups")
			.path("app.db")
			.endpoint("http://127.0.0.1:" + this.store.getAddress().getPort())
			.region("us-east-1")
			.credentials("id", "secret")
			.build();
		try (S3Connection connection = S3ClientFactory.builder().environment((name) -> null).build().connect(config)) {
			new S3ReplicaClient(connection, config, ReplicaOperationListener.NONE)
				.deleteWalSegments(List.of(new Pos("0123456789abcdef", 1, 0), new Pos("0123456789abcdef", 1, 4152)));
		}
		assertThat(this.deletes).hasValue(1);
	}

	private void answer(HttpExchange exchange) throws java.io.IOException {
		byte[] body = exchange.getRequestBody().readAllBytes();
		String query = exchange.getRequestURI().getRawQuery();
		boolean delete = "POST".equals(exchange.getRequestMethod()) && query != null && query.contains("delete");
		String md5 = exchange.getRequestHeaders().getFirst("Content-MD5");
		String reply;
		int status;
		if (!delete) {
			status = 404;
			reply = "";
		}
		else if (md5 == null || !md5.equals(base64Md5(body))) {
			status = 400;
			reply = MISSING_MD5;
		}
		else {
			this.deletes.incrementAndGet();
			status = 200;
			reply = DELETED;
		}
		byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/xml");
		exchange.sendResponseHeaders(status, (bytes.length == 0) ? -1 : bytes.length);
		if (bytes.length > 0) {
			exchange.getResponseBody().write(bytes);
		}
		exchange.close();
	}

	private static String base64Md5(byte[] body) {
		try {
			return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(body));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}

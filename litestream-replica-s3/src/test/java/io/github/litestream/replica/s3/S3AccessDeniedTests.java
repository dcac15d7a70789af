package io.github.litestream.replica.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpServer;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.s3.S3ReplicaException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A store that refuses a prefix the way AWS does when the IAM policy does not cover it (HTTP 403
 * with code {@code AccessDenied}). S3Proxy has no policies, so a tiny HTTP server answers
 * every request with AWS's error document; the real SDK and client parse it.
 */
class S3AccessDeniedTests {

	private static final String ACCESS_DENIED = """
			<?xml version="1.0" encoding="UTF-8"?>
			<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>1</RequestId></Error>
			""";

	private HttpServer server;

	@BeforeEach
	void startServer() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/", (exchange) -> {
			exchange.getRequestBody().readAllBytes();
			byte[] body = ACCESS_DENIED.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/xml");
			exchange.sendResponseHeaders(403, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		this.server.start();
	}

	@AfterEach
	void stopServer() {
		this.server.stop(0);
	}

	@Test
	void accessDeniedNamesThePrefixAndThePolicyToFix() {
		S3ReplicaConfig config = S3ReplicaConfig.builder()
			.bucket("bucket")
			.path("backups/app")
			.endpoint("http://127.0.0.1:" + this.server.getAddress().getPort())
			.credentials("limited-key", "limited-secret")
			.build();
		try (S3Client s3 = S3ClientFactory.withDefaults().create(config)) {
			S3ReplicaClient client = new S3ReplicaClient(s3, config, ReplicaOperationListener.NONE);
			assertThatExceptionOfType(S3ReplicaException.class)
				.isThrownBy(() -> client.writeWalSegment(new Pos("0123456789abcdef", 0, 0),
						new ByteArrayInputStream(new byte[10])))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.ACCESS_DENIED))
				.satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain("limited-secret"))
				.withMessageContaining("s3://bucket/backups/app")
				.withMessageContaining("bucket 'bucket'")
				.withMessageContaining("backups/app/generations/0123456789abcdef/wal/00000000_00000000.wal.lz4")
				.withMessageContaining("prefix 'backups/app/*'")
				.withMessageContaining("IAM");
		}
	}

}

package io.github.litestream.replica.abs;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.RecordingOperationListener;
import io.github.litestream.replica.ReplicaOperation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests are retried with backoff: a write made while the service refuses connections
 * succeeds once the service appears within the retries, and counts as one request.
 */
class AbsRetryTests {

	@RegisterExtension
	static final AzuriteServer azurite = new AzuriteServer();

	@Test
	void aWriteDuringAShortOutageSucceedsOnceTheServiceIsBack() throws Exception {
		String container = azurite.createContainer();
		int port = AzuriteServer.freePort();
		AbsReplicaConfig config = azurite.config(container, "app")
			.endpoint("http://127.0.0.1:" + port + "/" + AzuriteServer.ACCOUNT_NAME)
			.build();
		RecordingOperationListener operations = new RecordingOperationListener();
		AbsReplicaClient client = new AbsReplicaClient(
				AbsClientFactory.withRetries(8, Duration.ofMillis(250), Duration.ofSeconds(2)).create(config), config,
				operations);
		Pos pos = new Pos("0123456789abcdef", 1, 0);
		byte[] segment = AbsReplicaClientTests.bytes(5000, 1);

		try (TcpForwarder forwarder = new TcpForwarder(port, azurite.port())) {
			CompletableFuture<Void> comesBack = CompletableFuture.runAsync(() -> {
				try {
					Thread.sleep(1500);
					forwarder.start();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			long started = System.nanoTime();
			client.writeWalSegment(pos, new ByteArrayInputStream(segment));
			comesBack.get(30, TimeUnit.SECONDS);

			assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the write waited for the service")
				.isGreaterThanOrEqualTo(Duration.ofMillis(1500));
			assertThat(operations.count(ReplicaOperation.PUT)).isEqualTo(1);
			assertThat(client.walSegments("0123456789abcdef")).singleElement()
				.satisfies((info) -> assertThat(info.pos()).isEqualTo(pos));
			try (InputStream in = client.openWalSegment(pos)) {
				assertThat(in.readAllBytes()).isEqualTo(segment);
			}
		}
	}

}

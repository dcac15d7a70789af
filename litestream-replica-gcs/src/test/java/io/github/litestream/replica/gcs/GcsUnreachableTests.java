package io.github.litestream.replica.gcs;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

import com.google.cloud.storage.Storage;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaOperationListener;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A replica whose service refuses connections (a loopback port nobody listens on, named by
 * {@code STORAGE_EMULATOR_HOST}) fails every request after the retries, naming the replica,
 * the bucket and where the requests went; the lease's conditional writes too, as an outage
 * rather than a conflict.
 */
class GcsUnreachableTests {

	@Test
	void requestsToAClosedPortFailNamingTheReplicaAndTheHost() throws Exception {
		String host = "127.0.0.1:" + closedPort();
		GcsClientFactory factory = GcsClientFactory.with(Map.of(GcsClientFactory.EMULATOR_HOST_VARIABLE, host)::get, 3,
				Duration.ofMillis(20), Duration.ofMillis(50));
		GcsReplicaConfig config = GcsReplicaConfig.fromUrl("gcs://backups/app");
		try (Storage storage = factory.create()) {
			GcsReplicaClient client = new GcsReplicaClient(storage, config, ReplicaOperationListener.NONE,
					factory.target());

			assertThatExceptionOfType(GcsReplicaException.class).isThrownBy(client::generations)
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(GcsReplicaException.Reason.UNREACHABLE))
				.withMessageContaining("gcs://backups/app")
				.withMessageContaining("bucket 'backups'")
				.withMessageContaining(host)
				.withMessageContaining("STORAGE_EMULATOR_HOST");
			assertThatExceptionOfType(GcsReplicaException.class)
				.isThrownBy(() -> client.writeWalSegment(new Pos("0123456789abcdef", 0, 0),
						new ByteArrayInputStream(new byte[100])))
				.withMessageContaining("app/generations/0123456789abcdef/wal/00000000_00000000.wal.lz4");
			// A lease that cannot be written because the service is away is an outage, not a lost race.
			assertThatExceptionOfType(GcsReplicaException.class)
				.isThrownBy(() -> client.conditionalObjects().orElseThrow().create("lease.json", new byte[10]))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(GcsReplicaException.Reason.UNREACHABLE))
				.withMessageContaining("object 'app/lease.json'");
			assertThatExceptionOfType(GcsReplicaException.class)
				.isThrownBy(() -> client.conditionalObjects().orElseThrow().read("lease.json"))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(GcsReplicaException.Reason.UNREACHABLE));
		}
	}

	private static int closedPort() throws Exception {
		try (ServerSocket socket = new ServerSocket()) {
			socket.bind(new InetSocketAddress("127.0.0.1", 0));
			return socket.getLocalPort();
		}
	}

}

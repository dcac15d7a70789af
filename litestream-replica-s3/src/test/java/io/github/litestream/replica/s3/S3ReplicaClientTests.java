package io.github.litestream.replica.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.s3.S3ReplicaException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link S3ReplicaClient} against S3Proxy running in this JVM, plus what only an in-process
 * server can show: wrong credentials, an unreachable endpoint and an outage.
 */
class S3ReplicaClientTests extends AbstractS3ReplicaClientTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	@Override
	String createBucket() {
		return server.createBucket();
	}

	@Override
	S3ReplicaConfig config(String bucket, String path) {
		return server.config(bucket, path);
	}

	@Test
	void wrongSecretNamesTheReplicaAndTheCredentialSettingsButNotTheSecret() {
		String wrongSecret = "wrong-secret-" + System.nanoTime();
		S3ReplicaConfig config = server.configBuilder(this.bucket, "backups/app")
			.credentials(S3ProxyServer.ACCESS_KEY_ID, wrongSecret)
			.build();
		assertInvalidCredentials(config, wrongSecret);
	}

	@Test
	void unknownAccessKeyNamesTheReplicaAndTheCredentialSettings() {
		S3ReplicaConfig config = server.configBuilder(this.bucket, "backups/app")
			.credentials("unknown-key", S3ProxyServer.SECRET_ACCESS_KEY)
			.build();
		assertInvalidCredentials(config, S3ProxyServer.SECRET_ACCESS_KEY);
	}

	@Test
	void unreachableEndpointNamesTheEndpointSetting() throws IOException {
		String endpoint = "http://127.0.0.1:" + unusedPort();
		S3ReplicaConfig config = S3ReplicaConfig.builder()
			.bucket(this.bucket)
			.path("backups/app")
			.endpoint(endpoint)
			.credentials(S3ProxyServer.ACCESS_KEY_ID, S3ProxyServer.SECRET_ACCESS_KEY)
			.build();
		try (S3Client unreachable = this.factory.create(config)) {
			S3ReplicaClient replica = new S3ReplicaClient(unreachable, config, this.operations);
			assertThatExceptionOfType(S3ReplicaException.class)
				.isThrownBy(() -> replica.writeWalSegment(new Pos(GEN, 0, 0), new ByteArrayInputStream(new byte[10])))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.UNREACHABLE))
				.withMessageContaining("s3://" + this.bucket + "/backups/app")
				.withMessageContaining(endpoint)
				.withMessageContaining("'endpoint'");
		}
	}

	@Test
	void noCredentialsAtAllNamesEveryPlaceTheyCanComeFrom() {
		S3ReplicaConfig config = server.configBuilder(this.bucket, "backups/app").build();
		// What the default chain finds on an operator's laptop without keys: nothing.
		AwsCredentialsProvider none = AwsCredentialsProviderChain
			.of(ProfileCredentialsProvider.create("litestream-no-such-profile-" + System.nanoTime()));
		try (S3Client withoutCredentials = S3Client.builder()
			.credentialsProvider(none)
			.region(Region.US_EAST_1)
			.endpointOverride(server.endpoint())
			.forcePathStyle(true)
			.build()) {
			S3ReplicaClient replica = new S3ReplicaClient(withoutCredentials, config, this.operations);
			assertThatExceptionOfType(S3ReplicaException.class).isThrownBy(replica::generations)
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.INVALID_CREDENTIALS))
				.withMessageContaining("s3://" + this.bucket + "/backups/app")
				.withMessageContaining("no credentials")
				.withMessageContaining("'access-key-id'/'secret-access-key'")
				.withMessageContaining("LITESTREAM_ACCESS_KEY_ID")
				.withMessageNotContaining("ProfileCredentialsProvider");
		}
	}

	@Test
	void recoversWhenTheServerComesBackAfterAnOutage() throws Exception {
		byte[] before = bytes(100, 20);
		this.client.writeWalSegment(new Pos(GEN, 0, 0), new ByteArrayInputStream(before));
		server.stop();
		try {
			assertThatExceptionOfType(S3ReplicaException.class)
				.isThrownBy(() -> this.client.writeWalSegment(new Pos(GEN, 0, 132),
						new ByteArrayInputStream(bytes(100, 21))))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.UNREACHABLE));
		}
		finally {
			server.start();
		}
		this.client.writeWalSegment(new Pos(GEN, 0, 132), new ByteArrayInputStream(bytes(100, 21)));

		assertThat(this.client.walSegments(GEN)).hasSize(2);
		try (InputStream in = this.client.openWalSegment(new Pos(GEN, 0, 0))) {
			assertThat(in.readAllBytes()).isEqualTo(before);
		}
	}

	private void assertInvalidCredentials(S3ReplicaConfig config, String secret) {
		try (S3Client wrong = this.factory.create(config)) {
			S3ReplicaClient replica = new S3ReplicaClient(wrong, config, this.operations);
			assertThatExceptionOfType(S3ReplicaException.class).isThrownBy(() -> replica.snapshots(GEN))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.INVALID_CREDENTIALS))
				.satisfies((ex) -> assertThat(fullText(ex)).doesNotContain(secret))
				.withMessageContaining("s3://" + this.bucket + "/backups/app")
				.withMessageContaining("bucket '" + this.bucket + "'")
				.withMessageContaining("backups/app/generations/" + GEN + "/snapshots/")
				.withMessageContaining("'access-key-id'/'secret-access-key'");
		}
	}

	private static String fullText(Throwable ex) {
		StringBuilder text = new StringBuilder();
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			text.append(cause).append('\n');
		}
		return text.toString();
	}

	private static int unusedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket()) {
			socket.bind(new InetSocketAddress("127.0.0.1", 0));
			return socket.getLocalPort();
		}
	}

}

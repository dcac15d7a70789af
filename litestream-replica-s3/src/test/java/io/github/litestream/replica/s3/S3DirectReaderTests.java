package io.github.litestream.replica.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaLayout;
import io.github.litestream.replica.ReplicaObjectNotFoundException;
import io.github.litestream.replica.ReplicaOperationListener;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link S3DirectReader} against S3Proxy in this JVM, which checks every signature: the signed
 * GET is accepted (also for keys that need encoding), a missing object and a refused signature
 * are left to the SDK (which explains them), and a client with interceptors of its own is never
 * bypassed.
 */
class S3DirectReaderTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	private static final String GEN = "0123456789abcdef";

	private final S3ClientFactory factory = S3ClientFactory.builder().environment((name) -> null).build();

	private String bucket;

	@BeforeEach
	void createBucket() {
		this.bucket = server.createBucket();
	}

	@Test
	void readsWhatTheReplicaWroteWithOneSignedGet() throws IOException {
		assertReadsDirectly("backups/app", 200_000);
	}

	@Test
	void signsKeysThatNeedEncodingTheWayS3Expects() throws IOException {
		assertReadsDirectly("backups/my app+ü", 1000);
	}

	@Test
	void missingObjectIsLeftToTheSdkAndTheDirectWayStaysOn() throws IOException {
		S3ReplicaConfig config = server.config(this.bucket, "backups/app");
		byte[] segment = randomBytes(1000);
		try (S3Client s3 = this.factory.create(config)) {
			S3ReplicaClient replica = new S3ReplicaClient(s3, config, ReplicaOperationListener.NONE);
			replica.writeWalSegment(new Pos(GEN, 1, 0), new ByteArrayInputStream(segment));
			{
				S3DirectReader reader = direct(s3, config).orElseThrow();
				assertThat(reader.open(key(config, new Pos(GEN, 9, 0)))).isEmpty();
				assertThat(reader.enabled()).isTrue();
				try (InputStream body = reader.open(key(config, new Pos(GEN, 1, 0))).orElseThrow().body()) {
					assertThat(body.readAllBytes()).isEqualTo(segment);
				}
			}
			// Through the replica client, the SDK then names the missing object.
			assertThatExceptionOfType(ReplicaObjectNotFoundException.class)
				.isThrownBy(() -> replica.openWalSegment(new Pos(GEN, 9, 0)))
				.withMessageContaining(ReplicaLayout.walSegmentKey(new Pos(GEN, 9, 0)));
			replica.close();
		}
	}

	@Test
	void refusedSignatureTurnsTheDirectWayOffAndTheSdkExplainsIt() throws IOException {
		S3ReplicaConfig good = server.config(this.bucket, "backups/app");
		try (S3Client s3 = this.factory.create(good)) {
			new S3ReplicaClient(s3, good, ReplicaOperationListener.NONE).writeWalSegment(new Pos(GEN, 0, 0),
					new ByteArrayInputStream(randomBytes(100)));
		}
		String wrongSecret = "wrong-secret-" + System.nanoTime();
		S3ReplicaConfig wrong = server.configBuilder(this.bucket, "backups/app")
			.credentials(S3ProxyServer.ACCESS_KEY_ID, wrongSecret)
			.build();
		try (S3Client s3 = this.factory.create(wrong)) {
			{
				S3DirectReader reader = direct(s3, wrong).orElseThrow();
				assertThat(reader.open(key(wrong, new Pos(GEN, 0, 0)))).isEmpty();
				assertThat(reader.enabled()).isFalse();
			}
			S3ReplicaClient replica = new S3ReplicaClient(s3, wrong, ReplicaOperationListener.NONE);
			assertThatExceptionOfType(S3ReplicaException.class)
				.isThrownBy(() -> replica.openWalSegment(new Pos(GEN, 0, 0)))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(S3ReplicaException.Reason.INVALID_CREDENTIALS))
				.withMessageNotContaining(wrongSecret);
			replica.close();
		}
	}

	@Test
	void clientWithInterceptorsOfItsOwnReadsThroughTheSdk() throws IOException {
		AtomicInteger sdkGets = new AtomicInteger();
		ExecutionInterceptor counter = new ExecutionInterceptor() {
			@Override
			public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
				if (context.request() instanceof GetObjectRequest) {
					sdkGets.incrementAndGet();
				}
			}
		};
		S3ClientFactory customized = S3ClientFactory.builder()
			.environment((name) -> null)
			.customizers(List.of((builder) -> builder.overrideConfiguration((o) -> o.addExecutionInterceptor(counter))))
			.build();
		S3ReplicaConfig config = server.config(this.bucket, "backups/app");
		byte[] segment = randomBytes(1000);
		try (S3Client s3 = customized.create(config)) {
			assertThat(direct(s3, config)).isEmpty();
			S3ReplicaClient replica = new S3ReplicaClient(s3, config, ReplicaOperationListener.NONE);
			replica.writeWalSegment(new Pos(GEN, 0, 0), new ByteArrayInputStream(segment));
			try (InputStream body = replica.openWalSegment(new Pos(GEN, 0, 0))) {
				assertThat(body.readAllBytes()).isEqualTo(segment);
			}
			assertThat(sdkGets).hasValue(1);
			replica.close();
		}
	}

	@Test
	void clientsTheApplicationCustomizedOrBuiltItselfAreNeverBypassed() {
		S3ReplicaConfig config = server.config(this.bucket, "backups/app");
		// A customizer may set an HTTP client of its own (a proxy, TLS) that a direct GET would miss.
		S3ClientFactory customized = S3ClientFactory.builder()
			.environment((name) -> null)
			.customizers(List.of((builder) -> builder.httpClientBuilder(S3ClientFactory.httpClientBuilder(config))))
			.build();
		try (S3Client s3 = customized.create(config); S3Client plain = this.factory.create(config)) {
			assertThat(direct(s3, config)).isEmpty();
			try (S3Client own = S3Client.builder()
				.endpointOverride(server.endpoint())
				.region(software.amazon.awssdk.regions.Region.US_EAST_1)
				.credentialsProvider(plain.serviceClientConfiguration().credentialsProvider())
				.forcePathStyle(true)
				.build()) {
				assertThat(direct(own, config)).isEmpty();
			}
			assertThat(direct(plain, config)).isPresent();
		}
	}

	/** Writes a segment through the SDK and reads it back with a direct GET that S3Proxy accepts. */
	private void assertReadsDirectly(String path, int size) throws IOException {
		S3ReplicaConfig config = server.config(this.bucket, path);
		byte[] segment = randomBytes(size);
		try (S3Client s3 = this.factory.create(config)) {
			new S3ReplicaClient(s3, config, ReplicaOperationListener.NONE).writeWalSegment(new Pos(GEN, 3, 0),
					new ByteArrayInputStream(segment));
			{
				S3DirectReader reader = direct(s3, config).orElseThrow();
				S3DirectReader.DirectObject object = reader.open(key(config, new Pos(GEN, 3, 0))).orElseThrow();
				try (InputStream body = object.body()) {
					assertThat(body.readAllBytes()).isEqualTo(segment);
				}
				assertThat(object.length()).isEqualTo(size);
				assertThat(reader.enabled()).isTrue();
			}
		}
	}

	private static Optional<S3DirectReader> direct(S3Client s3, S3ReplicaConfig config) {
		return S3DirectReader.create(S3DirectAccess.of(s3), config);
	}

	private static String key(S3ReplicaConfig config, Pos pos) {
		return config.path() + "/" + ReplicaLayout.walSegmentKey(pos);
	}

	private static byte[] randomBytes(int length) {
		byte[] bytes = new byte[length];
		new Random(length).nextBytes(bytes);
		return bytes;
	}

}

package io.github.litestream.replica.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

import com.sun.net.httpserver.HttpServer;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.RecordingOperationListener;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Listings and reads sent around the SDK ({@link S3DirectReader}) on a connection whose SDK
 * client is built only when needed ({@link S3ClientFactory#connect}): against S3Proxy in this
 * JVM, which checks every signature, each answer equals what the SDK itself lists and reads,
 * over several pages and under a path that needs encoding, without the SDK client being
 * built. Answers the direct way does not expect go to the SDK, from a plain HTTP server that
 * answers as a store that misbehaves would.
 */
class S3DirectListingTests {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	private static final String GEN = "0123456789abcdef";

	private final S3ClientFactory factory = S3ClientFactory.builder().environment((name) -> null).build();

	/** Every request through the SDK: a customizer keeps clients off the direct way. */
	private final S3ClientFactory sdkOnly = S3ClientFactory.builder()
		.environment((name) -> null)
		.customizers(List.of((builder) -> {
		}))
		.build();

	private String bucket;

	@BeforeEach
	void createBucket() {
		this.bucket = server.createBucket();
	}

	@Test
	void listsOverSeveralPagesAsTheSdkDoesWithoutBuildingTheSdkClient() throws Exception {
		S3ReplicaConfig config = server.config(this.bucket, "backups/app");
		int segments = 1_003;
		try (S3Client writer = this.factory.create(config)) {
			writeSegments(new S3ReplicaClient(writer, config, ReplicaOperationListener.NONE), segments);
		}
		RecordingOperationListener operations = new RecordingOperationListener();
		try (S3Connection connection = this.factory.connect(config); S3Client sdk = this.sdkOnly.create(config)) {
			List<WalSegmentInfo> direct = new S3ReplicaClient(connection, config, operations).walSegments(GEN);
			assertThat(direct).hasSize(segments)
				.isEqualTo(new S3ReplicaClient(sdk, config, ReplicaOperationListener.NONE).walSegments(GEN));
			// S3 answers at most 1,000 keys a page: the second page came with the first's token.
			assertThat(operations.count(ReplicaOperation.LIST)).isEqualTo(2);
			assertThat(connection.clientBuilt()).isFalse();
		}
	}

	@Test
	void listsAndReadsUnderAPathThatNeedsEncodingWithoutBuildingTheSdkClient() throws Exception {
		S3ReplicaConfig config = server.config(this.bucket, "team a+b/ü&=%~'(x)/db 1");
		byte[] segment = randomBytes(5000);
		try (S3Client writer = this.factory.create(config)) {
			S3ReplicaClient replica = new S3ReplicaClient(writer, config, ReplicaOperationListener.NONE);
			replica.writeSnapshot(GEN, 0, new ByteArrayInputStream(randomBytes(100)));
			replica.writeWalSegment(new Pos(GEN, 0, 0), new ByteArrayInputStream(segment));
		}
		try (S3Connection connection = this.factory.connect(config); S3Client sdk = this.sdkOnly.create(config)) {
			S3ReplicaClient direct = new S3ReplicaClient(connection, config, ReplicaOperationListener.NONE);
			S3ReplicaClient throughSdk = new S3ReplicaClient(sdk, config, ReplicaOperationListener.NONE);
			assertThat(direct.generations()).containsExactly(GEN).isEqualTo(throughSdk.generations());
			List<SnapshotInfo> snapshots = direct.snapshots(GEN);
			assertThat(snapshots).hasSize(1).isEqualTo(throughSdk.snapshots(GEN));
			assertThat(direct.walSegments(GEN)).hasSize(1).isEqualTo(throughSdk.walSegments(GEN));
			try (InputStream body = direct.openWalSegment(new Pos(GEN, 0, 0))) {
				assertThat(body.readAllBytes()).isEqualTo(segment);
			}
			assertThat(connection.clientBuilt()).isFalse();
			// Writing is what needs the SDK's client.
			direct.writeWalSegment(new Pos(GEN, 0, segment.length), new ByteArrayInputStream(segment));
			assertThat(connection.clientBuilt()).isTrue();
			assertThat(direct.walSegments(GEN)).hasSize(2);
		}
	}

	@Test
	void objectUrlsAreTheSdksForPathStyleAndVirtualHosts() {
		String endpoint = server.endpoint().toString().replaceFirst("/+$", "");
		List<S3ReplicaConfig> configs = List.of(server.configBuilder(this.bucket, "p").forcePathStyle(true).build(),
				server.configBuilder(this.bucket, "p").forcePathStyle(false).build(),
				server.configBuilder(this.bucket, "p").endpoint(endpoint + "/").forcePathStyle(true).build(),
				server.configBuilder(this.bucket, "p").endpoint(endpoint + "/base/").forcePathStyle(true).build(),
				server.configBuilder("dotted.bucket-1", "p").forcePathStyle(true).build());
		for (S3ReplicaConfig config : configs) {
			try (S3Connection connection = this.factory.connect(config); S3Client sdk = this.factory.create(config)) {
				S3DirectReader reader = S3DirectReader.create(connection.directAccess(), config).orElseThrow();
				for (String key : List.of("p/generations/" + GEN + "/wal/00000000_00000000.wal.lz4",
						"a b+c/ü&=%~'()*!$,;:@", "x//y/./z/../?#[]")) {
					String sdkUrl = sdk.utilities().getUrl((request) -> request.bucket(config.bucket()).key(key)).toString();
					assertThat(reader.objectUrl(key).toString()).as(key).isEqualTo(sdkUrl);
				}
			}
		}
	}

	@Test
	void aProxyInTheEnvironmentOrSkipVerifyKeepsEveryRequestOnTheSdk() {
		S3ReplicaConfig config = server.config(this.bucket, "backups/app");
		for (String variable : List.of("HTTPS_PROXY", "http_proxy", "ALL_PROXY")) {
			S3ClientFactory proxied = S3ClientFactory.builder()
				.environment((name) -> name.equals(variable) ? "http://proxy.internal:3128" : null)
				.build();
			try (S3Connection connection = proxied.connect(config); S3Client s3 = proxied.create(config)) {
				assertThat(connection.directAccess()).as(variable).isEmpty();
				assertThat(S3DirectAccess.of(s3)).as(variable).isEmpty();
			}
		}
		S3ReplicaConfig skipVerify = server.configBuilder(this.bucket, "backups/app").skipVerify(true).build();
		try (S3Connection connection = this.factory.connect(skipVerify)) {
			assertThat(connection.directAccess()).isPresent();
			assertThat(S3DirectReader.create(connection.directAccess(), skipVerify)).isEmpty();
		}
	}

	@Test
	void refusedListingTurnsTheDirectWayOffAndTheSdkExplainsIt() {
		String wrongSecret = "wrong-secret-" + System.nanoTime();
		S3ReplicaConfig wrong = server.configBuilder(this.bucket, "backups/app")
			.credentials(S3ProxyServer.ACCESS_KEY_ID, wrongSecret)
			.build();
		try (S3Connection connection = this.factory.connect(wrong)) {
			S3ReplicaClient replica = new S3ReplicaClient(connection, wrong, ReplicaOperationListener.NONE);
			assertThatExceptionOfType(S3ReplicaException.class).isThrownBy(replica::generations)
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(S3ReplicaException.Reason.INVALID_CREDENTIALS))
				.withMessageNotContaining(wrongSecret);
			assertThat(connection.clientBuilt()).isTrue();
		}
	}

	@Test
	void aListingThatIsNotOneTurnsTheDirectWayOffAndGoesToTheSdk() throws Exception {
		AtomicInteger sdkRequests = new AtomicInteger();
		HttpServer store = cannedStore(200, "<html>a captive portal</html>", sdkRequests);
		try {
			S3ReplicaConfig config = cannedConfig(store);
			try (S3Connection connection = this.factory.connect(config)) {
				S3DirectReader reader = S3DirectReader.create(connection.directAccess(), config).orElseThrow();
				assertThat(reader.list("db/generations/", "/", null)).isEmpty();
				assertThat(reader.enabled()).isFalse();
				// Through the replica client, the SDK is asked; it reads nothing in that page either.
				S3ReplicaClient replica = new S3ReplicaClient(connection, config, ReplicaOperationListener.NONE);
				try {
					assertThat(replica.generations()).isEmpty();
				}
				catch (IOException ex) {
					// Or it says it cannot read it: either way, it was asked.
				}
				assertThat(sdkRequests).hasPositiveValue();
			}
		}
		finally {
			store.stop(0);
		}
	}

	@Test
	void aTruncatedPageWithoutAContinuationTokenIsAnErrorNotTheEndOfTheListing() throws Exception {
		// What a store that answers ListObjects V1 sends: more keys follow, after a NextMarker.
		String page = "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>db/generations/" + GEN
				+ "/wal/00000000_00000000.wal.lz4</Key><Size>10</Size><LastModified>2026-11-30T00:00:00.000Z"
				+ "</LastModified></Contents><NextMarker>db/generations/" + GEN
				+ "/wal/00000000_00000000.wal.lz4</NextMarker></ListBucketResult>";
		AtomicInteger sdkRequests = new AtomicInteger();
		HttpServer store = cannedStore(200, page, sdkRequests);
		try {
			S3ReplicaConfig config = cannedConfig(store);
			try (S3Connection connection = this.factory.connect(config)) {
				S3DirectReader reader = S3DirectReader.create(connection.directAccess(), config).orElseThrow();
				assertThat(reader.list("db/generations/" + GEN + "/wal/", null, null)).isEmpty();
				assertThat(reader.enabled()).isFalse();
				S3ReplicaClient replica = new S3ReplicaClient(connection, config, ReplicaOperationListener.NONE);
				assertThatExceptionOfType(IOException.class).isThrownBy(() -> replica.walSegments(GEN))
					.withMessageContaining("no continuation token")
					.withMessageContaining("ListObjectsV2");
				assertThat(sdkRequests).hasPositiveValue();
			}
		}
		finally {
			store.stop(0);
		}
	}

	@Test
	void httpsConnectionsIgnoreTheJvmWideTrustAllThatALibraryMayInstall() throws Exception {
		HostnameVerifier defaultVerifier = HttpsURLConnection.getDefaultHostnameVerifier();
		SSLSocketFactory defaultFactory = HttpsURLConnection.getDefaultSSLSocketFactory();
		SSLSocketFactory anyoneTrusted = (SSLSocketFactory) SSLSocketFactory.getDefault();
		try {
			HttpsURLConnection.setDefaultHostnameVerifier((host, session) -> true);
			HttpsURLConnection.setDefaultSSLSocketFactory(anyoneTrusted);
			HttpURLConnection connection = S3DirectReader.open(URI.create("https://bucket.s3.example.com/key"));
			assertThat(connection).isInstanceOfSatisfying(HttpsURLConnection.class, (https) -> {
				assertThat(https.getHostnameVerifier().verify("another.host", null)).isFalse();
				assertThat(https.getSSLSocketFactory()).isNotSameAs(anyoneTrusted);
			});
			assertThat(S3DirectReader.open(URI.create("http://127.0.0.1:9/key")))
				.isNotInstanceOf(HttpsURLConnection.class);
		}
		finally {
			HttpsURLConnection.setDefaultHostnameVerifier(defaultVerifier);
			HttpsURLConnection.setDefaultSSLSocketFactory(defaultFactory);
		}
	}

	@Test
	void aServerErrorGoesToTheSdkOnceAndTheDirectWayStaysOn() throws Exception {
		AtomicInteger requests = new AtomicInteger();
		HttpServer store = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		store.createContext("/", (exchange) -> {
			requests.incrementAndGet();
			exchange.sendResponseHeaders(503, -1);
			exchange.close();
		});
		store.start();
		try {
			S3ReplicaConfig config = cannedConfig(store);
			try (S3Connection connection = this.factory.connect(config)) {
				S3DirectReader reader = S3DirectReader.create(connection.directAccess(), config).orElseThrow();
				assertThat(reader.list("db/generations/", "/", null)).isEmpty();
				assertThat(reader.open("db/generations/" + GEN + "/wal/00000000_00000000.wal.lz4")).isEmpty();
				assertThat(reader.enabled()).isTrue();
				// The store asked for less: the second request went to the SDK (and its back-off) only.
				assertThat(requests).hasValue(1);
			}
		}
		finally {
			store.stop(0);
		}
	}

	/**
	 * A store that gives every request the same answer and counts the SDK's requests (by their
	 * user agent).
	 */
	private static HttpServer cannedStore(int status, String body, AtomicInteger sdkRequests) throws IOException {
		HttpServer store = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		store.createContext("/", (exchange) -> {
			String agent = exchange.getRequestHeaders().getFirst("User-Agent");
			if (agent != null && agent.contains("aws-sdk-java")) {
				sdkRequests.incrementAndGet();
			}
			exchange.getRequestBody().readAllBytes();
			byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/xml");
			exchange.sendResponseHeaders(status, bytes.length);
			exchange.getResponseBody().write(bytes);
			exchange.close();
		});
		store.start();
		return store;
	}

	private static S3ReplicaConfig cannedConfig(HttpServer store) {
		return S3ReplicaConfig.builder()
			.bucket("canned")
			.path("db")
			.endpoint("http://127.0.0.1:" + store.getAddress().getPort())
			.forcePathStyle(true)
			.credentials("canned-key", "canned-secret")
			.build();
	}

	/** Writes tiny segments, eight at a time. */
	private static void writeSegments(S3ReplicaClient replica, int count) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(8);
		try {
			List<Future<WalSegmentInfo>> writes = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				Pos pos = new Pos(GEN, i / 100, (i % 100) * 4096L);
				writes.add(pool.submit(() -> replica.writeWalSegment(pos, new ByteArrayInputStream(randomBytes(10)))));
			}
			for (Future<WalSegmentInfo> write : writes) {
				write.get();
			}
		}
		finally {
			pool.shutdown();
		}
	}

	private static byte[] randomBytes(int length) {
		byte[] bytes = new byte[length];
		new Random(length).nextBytes(bytes);
		return bytes;
	}

}

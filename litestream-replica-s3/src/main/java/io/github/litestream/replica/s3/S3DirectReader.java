package io.github.litestream.replica.s3;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;

/**
 * Reads whole objects with one SigV4-signed GET sent straight to an HTTP client, without the
 * SDK's request pipeline.
 *
 * <p>Why: a restore reads one object per WAL segment (the layout stores each segment as its own
 * object, so one request per segment is inherent), and restore-on-boot runs in a fresh JVM. There
 * the SDK's pipeline (endpoint rules evaluated twice per request, a dozen interceptors,
 * marshalling, retry and timeout bookkeeping) is interpreted and then JIT-compiled on the same
 * few cores that decompress and apply the WAL: measured on 2 cores, 3,000 GETs cost about 5 s of
 * CPU in the SDK's workers and 3.5 s of JIT compilation, against 1.4 s and 1.5 s sent this way.
 *
 * <p>The request is what the SDK would send for GetObject: the URL from the client's own
 * {@code S3Utilities} (endpoint, path style, region), signed by the SDK's own SigV4 signer with
 * the client's credentials and region. Anything but {@code 200 OK} is handed back as "not
 * read", and the caller asks the SDK, which retries, follows the store's redirects and explains
 * errors; an answer that says this way is not accepted (any 3xx or 4xx but 404, or a failure to
 * connect) turns it off for good, so a store that wants something else costs one request once.
 * The bytes need no SDK checksum: every object is an LZ4 frame with a content checksum (or an
 * age file, authenticated per chunk), which the reader verifies.
 *
 * <p>Only a client that {@link S3ClientFactory} built without the application's customizers is
 * bypassed: a customizer may set an HTTP client of its own (a proxy, TLS settings) or
 * interceptors that add headers its store needs, which a request sent around the SDK would
 * miss.
 */
final class S3DirectReader implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(S3DirectReader.class);

	private final S3Client s3;

	private final S3ReplicaConfig config;

	private final IdentityProvider<? extends AwsCredentialsIdentity> credentials;

	private final Region region;

	private final SdkHttpClient http;

	private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

	private volatile boolean disabled;

	private S3DirectReader(S3Client s3, S3ReplicaConfig config,
			IdentityProvider<? extends AwsCredentialsIdentity> credentials, Region region, SdkHttpClient http) {
		this.s3 = s3;
		this.config = config;
		this.credentials = credentials;
		this.region = region;
		this.http = http;
	}

	/**
	 * A reader for a client, unless the client has interceptors of its own or lacks what a
	 * signature needs.
	 * @param s3 the client whose URL rules, credentials and region are used
	 * @param config the replica (for the HTTP client's TLS and timeouts)
	 * @return the reader, which owns a new HTTP client, or empty
	 */
	static Optional<S3DirectReader> create(S3Client s3, S3ReplicaConfig config) {
		try {
			S3ServiceClientConfiguration clientConfig = s3.serviceClientConfiguration();
			if (!S3ClientFactory.isUncustomized(s3) || hasOwnInterceptors(clientConfig)
					|| clientConfig.credentialsProvider() == null
					|| clientConfig.region() == null) {
				return Optional.empty();
			}
			return Optional.of(new S3DirectReader(s3, config, clientConfig.credentialsProvider(),
					clientConfig.region(), S3ClientFactory.httpClientBuilder(config).build()));
		}
		catch (RuntimeException ex) {
			// A client that does not tell its configuration (a test double, a wrapper).
			logger.debug("S3 replica {} reads objects through the SDK only: {}", config.location(), ex.toString());
			return Optional.empty();
		}
	}

	/** Interceptors besides the SDK's own (which the configuration lists too). */
	private static boolean hasOwnInterceptors(S3ServiceClientConfiguration clientConfig) {
		return clientConfig.overrideConfiguration()
			.executionInterceptors()
			.stream()
			.anyMatch((interceptor) -> !interceptor.getClass().getName().startsWith("software.amazon.awssdk."));
	}

	/**
	 * Opens an object, if this way works.
	 * @param key the object's key
	 * @return the object's bytes (the caller closes them) and length, or empty when the caller
	 * should ask the SDK
	 */
	Optional<DirectObject> open(String key) {
		if (this.disabled) {
			return Optional.empty();
		}
		HttpExecuteResponse response;
		try {
			response = this.http.prepareRequest(HttpExecuteRequest.builder().request(signedGet(key)).build()).call();
		}
		catch (IOException | RuntimeException ex) {
			disable(key, ex.toString());
			return Optional.empty();
		}
		int status = response.httpResponse().statusCode();
		Optional<AbortableInputStream> body = response.responseBody();
		if (status == 200 && body.isPresent()) {
			return Optional.of(new DirectObject(body.get(), contentLength(response)));
		}
		body.ifPresent(AbortableInputStream::abort);
		if (status != 404 && status < 500) {
			disable(key, "HTTP " + status);
		}
		return Optional.empty();
	}

	/** The length the response gives, only for the operation listener: 0 if absent or unreadable. */
	private static long contentLength(HttpExecuteResponse response) {
		try {
			return response.httpResponse().firstMatchingHeader("Content-Length").map(Long::parseLong).orElse(0L);
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	private SdkHttpFullRequest signedGet(String key) {
		URI url = URI.create(this.s3.utilities()
			.getUrl((request) -> request.bucket(this.config.bucket()).key(key))
			.toExternalForm());
		SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).uri(url).build();
		AwsCredentialsIdentity identity = this.credentials.resolveIdentity().join();
		return (SdkHttpFullRequest) this.signer
			.sign((signing) -> signing.identity(identity)
				.request(request)
				.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
				.putProperty(AwsV4HttpSigner.REGION_NAME, this.region.id())
				// What the SDK sets for S3: keys are encoded once and never normalised, and a
				// GET's empty payload is not hashed.
				.putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
				.putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
				.putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false))
			.request();
	}

	/**
	 * Whether objects are still read this way.
	 * @return {@code false} once an answer said this way is not accepted
	 */
	boolean enabled() {
		return !this.disabled;
	}

	private void disable(String key, String reason) {
		if (!this.disabled) {
			this.disabled = true;
			logger.info("S3 replica {} reads objects through the SDK from now on: a direct GET of '{}' was not "
					+ "accepted ({})", this.config.location(), key, reason);
		}
	}

	@Override
	public void close() {
		this.http.close();
	}

	/**
	 * An object being read.
	 *
	 * @param body its bytes
	 * @param length its length from the response, 0 if not given
	 */
	record DirectObject(InputStream body, long length) {
	}

}

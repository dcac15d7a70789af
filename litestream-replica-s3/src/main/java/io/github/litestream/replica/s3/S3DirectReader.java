package io.github.litestream.replica.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketException;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.xml.stream.XMLStreamException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Lists and reads objects with SigV4-signed GETs sent straight to the store over the JDK's
 * {@link HttpURLConnection}, without the SDK's request pipeline or HTTP client.
 *
 * <p>Why: restore-on-boot runs in a fresh JVM and reads one object per WAL segment (the layout
 * stores each segment as its own object, so one request per segment is inherent). There the
 * SDK's pipeline (endpoint rules evaluated twice per request, a dozen interceptors, marshalling,
 * retry and timeout bookkeeping) is interpreted and then JIT-compiled on the same few cores that
 * decompress and apply the WAL, and building the SDK client with its Apache HTTP client costs
 * 0.6 to 1 s of CPU before the first request. Measured on 2 cores: the first request costs
 * about 30 ms of CPU this way against 600 ms through a new Apache client.
 *
 * <p>The requests are what the SDK would send: the URL from the SDK's own {@code S3Utilities}
 * (endpoint, path style, region), signed by the SDK's own SigV4 signer with the client's
 * credentials and region, listings with {@code encoding-type=url} as the SDK asks for them. Any
 * answer but {@code 200 OK} with the expected body is handed back as "not done", and the caller
 * asks the SDK, which retries, follows the store's redirects and explains errors; an answer that
 * says this way is not accepted (any 3xx or 4xx but 404, a TLS or other failure that is not the
 * network's, a listing this class cannot read) turns it off for good, so a store that wants
 * something else costs one request once; a server error or a network failure (reset, refused,
 * timed out) sends requests to the SDK for 30 s. Object bytes need no SDK checksum: every object
 * is an LZ4 frame with a content checksum (or an age file, authenticated per chunk), which the
 * reader verifies; a body shorter than its {@code Content-Length} (a connection cut between two
 * LZ4 frames) is an error, which the JDK would not report.
 *
 * <p>Only clients that {@link S3ClientFactory} made without the application's customizers get
 * here (see {@link S3DirectAccess}): a customizer may set an HTTP client of its own (a proxy, TLS
 * settings) or interceptors that add headers its store needs. Nor does a replica with
 * {@code skip-verify}, or a JVM with proxy settings, which only the SDK's HTTP client applies.
 */
final class S3DirectReader {

	private static final Logger logger = LoggerFactory.getLogger(S3DirectReader.class);

	/** The same bounds as the SDK's HTTP client ({@link S3ClientFactory}). */
	private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

	private final S3ReplicaConfig config;

	private final S3DirectAccess access;

	/** Where objects of the bucket are, ending with a slash: the encoded key follows. */
	private final String objectBase;

	/** The bucket's own URL, where listings are asked for. */
	private final URI bucketUrl;

	private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

	private volatile boolean disabled;

	/**
	 * After a server error (503 SlowDown, say) or a failed connection, requests go to the SDK,
	 * with its retries and back-off, until this {@link System#nanoTime()}: asking both ways at once
	 * would double the load on a store that asked for less.
	 */
	private volatile long sdkOnlyUntil = System.nanoTime();

	private static final Duration SDK_ONLY_AFTER_FAILURE = Duration.ofSeconds(30);

	private S3DirectReader(S3ReplicaConfig config, S3DirectAccess access, String objectBase) {
		this.config = config;
		this.access = access;
		this.objectBase = objectBase;
		URI base = URI.create(objectBase);
		// Path style: the bucket ends the path; virtual hosts: it is in the host.
		this.bucketUrl = "/".equals(base.getRawPath()) ? base
				: URI.create(objectBase.substring(0, objectBase.length() - 1));
	}

	/**
	 * A reader for a replica, unless its connection allows no direct requests, the replica
	 * trusts any certificate, or the SDK's URL rules give URLs this class cannot extend.
	 * @param access what direct requests need, if they are allowed
	 * @param config the replica
	 * @return the reader, or empty
	 */
	static Optional<S3DirectReader> create(Optional<S3DirectAccess> access, S3ReplicaConfig config) {
		if (access.isEmpty() || config.skipVerify()) {
			return Optional.empty();
		}
		try {
			String objectBase = access.get().objectBase().apply(config.bucket());
			return (objectBase != null) ? Optional.of(new S3DirectReader(config, access.get(), objectBase))
					: Optional.empty();
		}
		catch (RuntimeException ex) {
			logger.debug("S3 replica {} reads through the SDK only: {}", config.location(), ex.toString());
			return Optional.empty();
		}
	}

	/**
	 * Opens an object, if this way works.
	 * @param key the object's key
	 * @return the object's bytes (the caller closes them) and length, or empty when the caller
	 * should ask the SDK
	 */
	Optional<DirectObject> open(String key) {
		Optional<HttpURLConnection> answer = send(
				SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).uri(objectUrl(key)).build(), key);
		if (answer.isEmpty()) {
			return Optional.empty();
		}
		HttpURLConnection connection = answer.get();
		long length = connection.getContentLengthLong();
		try {
			return Optional.of(new DirectObject(new WholeBodyInputStream(body(connection), length, key),
					Math.max(length, 0)));
		}
		catch (IOException ex) {
			connection.disconnect();
			giveWayToSdk(key, ex.toString());
			return Optional.empty();
		}
	}

	/**
	 * Lists one page of ListObjectsV2, if this way works.
	 * @param prefix the keys' prefix
	 * @param delimiter the delimiter, or {@code null} for none
	 * @param continuationToken the previous page's token, or {@code null} for the first page
	 * @return the page, or empty when the caller should ask the SDK
	 */
	Optional<S3ListingPage> list(String prefix, @Nullable String delimiter, @Nullable String continuationToken) {
		SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder()
			.method(SdkHttpMethod.GET)
			.uri(this.bucketUrl)
			.putRawQueryParameter("list-type", "2")
			.putRawQueryParameter("prefix", prefix)
			.putRawQueryParameter("encoding-type", "url");
		if (delimiter != null) {
			request.putRawQueryParameter("delimiter", delimiter);
		}
		if (continuationToken != null) {
			request.putRawQueryParameter("continuation-token", continuationToken);
		}
		Optional<HttpURLConnection> answer = send(request.build(), prefix);
		if (answer.isEmpty()) {
			return Optional.empty();
		}
		try (InputStream body = body(answer.get())) {
			return Optional.of(S3ListingParser.parse(body));
		}
		catch (IOException | XMLStreamException | RuntimeException ex) {
			disable(prefix, "a listing that could not be read: " + ex);
			return Optional.empty();
		}
	}

	/**
	 * The URL of an object: the bucket's, then the key encoded as the SDK encodes it.
	 * @param key the key
	 * @return the URL
	 */
	URI objectUrl(String key) {
		return URI.create(this.objectBase + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
	}

	/** Signs and sends a GET; the connection if the answer is {@code 200 OK}. */
	private Optional<HttpURLConnection> send(SdkHttpFullRequest request, String key) {
		if (this.disabled || System.nanoTime() - this.sdkOnlyUntil < 0) {
			return Optional.empty();
		}
		HttpURLConnection connection = null;
		try {
			SdkHttpFullRequest signed = sign(request);
			connection = open(signed.getUri());
			connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
			connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
			connection.setInstanceFollowRedirects(false);
			connection.setUseCaches(false);
			for (Map.Entry<String, List<String>> header : signed.headers().entrySet()) {
				// The JDK sets Host itself, from the same URL the signature covers.
				if (!header.getKey().equalsIgnoreCase("Host")) {
					connection.setRequestProperty(header.getKey(), String.join(",", header.getValue()));
				}
			}
			int status = connection.getResponseCode();
			if (status == HttpURLConnection.HTTP_OK) {
				return Optional.of(connection);
			}
			discard(connection, status);
			if (status >= 500) {
				giveWayToSdk(key, "HTTP " + status);
			}
			else if (status != HttpURLConnection.HTTP_NOT_FOUND) {
				disable(key, "HTTP " + status);
			}
			return Optional.empty();
		}
		catch (SocketException | InterruptedIOException ex) {
			// Reset, refused, timed out: the network or the store, which the SDK meets too (and
			// retries); nothing says this way is not accepted.
			if (connection != null) {
				connection.disconnect();
			}
			giveWayToSdk(key, ex.toString());
			return Optional.empty();
		}
		catch (IOException | RuntimeException ex) {
			if (connection != null) {
				connection.disconnect();
			}
			disable(key, ex.toString());
			return Optional.empty();
		}
	}

	/**
	 * A connection without a proxy that verifies TLS as the SDK's client does: with the JVM's
	 * default trust (its trust store settings included), and the JDK's own host name check, so
	 * that a library's {@code HttpsURLConnection.setDefaultSSLSocketFactory} or
	 * {@code setDefaultHostnameVerifier} (a trust-all one, say) cannot weaken it.
	 * @param uri the request's URL
	 * @return the unconnected connection
	 * @throws IOException if it cannot be created
	 */
	static HttpURLConnection open(URI uri) throws IOException {
		HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
		if (connection instanceof HttpsURLConnection https) {
			try {
				https.setSSLSocketFactory(SSLContext.getDefault().getSocketFactory());
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IOException("No TLS context for " + uri.getHost() + ": " + ex.getMessage(), ex);
			}
			// Asked only when the JDK's own check failed: never overrule it.
			https.setHostnameVerifier((host, session) -> false);
		}
		return connection;
	}

	private SdkHttpFullRequest sign(SdkHttpFullRequest request) {
		AwsCredentialsIdentity identity = this.access.credentials().resolveIdentity().join();
		return (SdkHttpFullRequest) this.signer
			.sign((signing) -> signing.identity(identity)
				.request(request)
				.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
				.putProperty(AwsV4HttpSigner.REGION_NAME, this.access.region().id())
				// What the SDK sets for S3: keys are encoded once and never normalised, and a
				// GET's empty payload is not hashed.
				.putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
				.putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
				.putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false))
			.request();
	}

	private static InputStream body(HttpURLConnection connection) throws IOException {
		return connection.getInputStream();
	}

	/**
	 * Reads an error answer's small body, so that the connection can be reused; closes one that
	 * answered otherwise (a redirect's body is not an error stream).
	 */
	private static void discard(HttpURLConnection connection, int status) {
		if (status < HttpURLConnection.HTTP_BAD_REQUEST) {
			connection.disconnect();
			return;
		}
		try (InputStream error = connection.getErrorStream()) {
			if (error != null) {
				error.readNBytes(64 * 1024);
			}
		}
		catch (IOException ex) {
			connection.disconnect();
		}
	}

	/**
	 * Whether objects are still read this way.
	 * @return {@code false} once an answer said this way is not accepted
	 */
	boolean enabled() {
		return !this.disabled;
	}

	/** Sends requests to the SDK, with its retries and back-off, for a while. */
	private void giveWayToSdk(String key, String reason) {
		this.sdkOnlyUntil = System.nanoTime() + SDK_ONLY_AFTER_FAILURE.toNanos();
		logger.debug("S3 replica {} reads through the SDK for {} s: a direct request for '{}' failed ({})",
				this.config.location(), SDK_ONLY_AFTER_FAILURE.toSeconds(), key, reason);
	}

	private void disable(String key, String reason) {
		if (!this.disabled) {
			this.disabled = true;
			logger.info("S3 replica {} lists and reads objects through the SDK from now on: a direct request for "
					+ "'{}' was not accepted ({})", this.config.location(), key, reason);
		}
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

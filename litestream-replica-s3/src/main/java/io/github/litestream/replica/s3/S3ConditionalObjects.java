package io.github.litestream.replica.s3;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalWriteConflictException;
import io.github.litestream.replica.ReplicaObjectNotFoundException;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Conditional objects on S3 with the store's own preconditions: {@code If-None-Match: *} to
 * create, {@code If-Match: <ETag>} to replace; the version is the ETag. A failed condition is
 * HTTP 412 (or 409 when two conditional writes overlap, or 404 when the object to replace is
 * gone).
 *
 * <p>An ETag is the MD5 of the content, so writing the same bytes twice would give the same
 * version, and a writer holding an old version could win after the object changed and
 * changed back. Each write therefore ends the stored object with a fixed-length line holding
 * a random nonce, which {@link #read} strips.
 */
final class S3ConditionalObjects implements ConditionalObjects {

	private static final String NONCE_PREFIX = "\n#litestream-write ";

	private static final int NONCE_BYTES = 8;

	private static final int TRAILER_LENGTH = NONCE_PREFIX.length() + NONCE_BYTES * 2 + 1;

	private static final SecureRandom RANDOM = new SecureRandom();

	private final Supplier<S3Client> s3;

	private final S3ReplicaConfig config;

	private final ReplicaOperationListener listener;

	private final S3ReplicaClient client;

	S3ConditionalObjects(Supplier<S3Client> s3, S3ReplicaConfig config, ReplicaOperationListener listener,
			S3ReplicaClient client) {
		this.s3 = s3;
		this.config = config;
		this.listener = listener;
		this.client = client;
	}

	@Override
	public Optional<VersionedObject> read(String name) throws IOException {
		String key = key(name);
		ResponseBytes<GetObjectResponse> response;
		try {
			response = this.s3.get().getObjectAsBytes((request) -> request.bucket(this.config.bucket()).key(key));
		}
		catch (SdkException ex) {
			this.listener.onOperation(ReplicaOperation.GET, 0);
			IOException translated = S3Errors.translate(ex, "read object", this.config, key);
			if (translated instanceof ReplicaObjectNotFoundException) {
				return Optional.empty();
			}
			throw translated;
		}
		byte[] stored = response.asByteArray();
		this.listener.onOperation(ReplicaOperation.GET, stored.length);
		return Optional.of(new VersionedObject(withoutTrailer(stored), response.response().eTag()));
	}

	@Override
	public String create(String name, byte[] content) throws IOException {
		return put(name, content, (request) -> request.ifNoneMatch("*"), "already exists");
	}

	@Override
	public String replace(String name, byte[] content, String version) throws IOException {
		return put(name, content, (request) -> request.ifMatch(version), "changed since version " + version);
	}

	private String put(String name, byte[] content, Condition condition, String conflict) throws IOException {
		String key = key(name);
		byte[] stored = withTrailer(content);
		PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(this.config.bucket()).key(key);
		condition.apply(request);
		try {
			String etag = this.s3.get().putObject(request.build(), RequestBody.fromBytes(stored)).eTag();
			this.listener.onOperation(ReplicaOperation.PUT, stored.length);
			return etag;
		}
		catch (AwsServiceException ex) {
			this.listener.onOperation(ReplicaOperation.PUT, 0);
			int status = ex.statusCode();
			// A missing bucket is no lost race: an outage or a configuration error, said as such.
			boolean noBucket = ex.awsErrorDetails() != null && "NoSuchBucket".equals(ex.awsErrorDetails().errorCode());
			if (status == 412 || status == 409 || (status == 404 && !noBucket)) {
				throw new ConditionalWriteConflictException(name + " " + conflict + " in S3 replica "
						+ this.config.location() + " (key '" + key + "', HTTP " + status + ")");
			}
			throw S3Errors.translate(ex, "write object conditionally", this.config, key);
		}
		catch (SdkException ex) {
			this.listener.onOperation(ReplicaOperation.PUT, 0);
			throw S3Errors.translate(ex, "write object conditionally", this.config, key);
		}
	}

	private String key(String name) {
		if (name.isEmpty() || name.contains("/")) {
			throw new IllegalArgumentException("Not an object name at the replica root: '" + name + "'");
		}
		return this.client.key(name);
	}

	private static byte[] withTrailer(byte[] content) {
		byte[] nonce = new byte[NONCE_BYTES];
		RANDOM.nextBytes(nonce);
		byte[] trailer = (NONCE_PREFIX + HexFormat.of().formatHex(nonce) + "\n").getBytes(StandardCharsets.US_ASCII);
		byte[] stored = Arrays.copyOf(content, content.length + trailer.length);
		System.arraycopy(trailer, 0, stored, content.length, trailer.length);
		return stored;
	}

	/** The content without our trailer; an object someone else wrote is returned whole. */
	private static byte[] withoutTrailer(byte[] stored) {
		int start = stored.length - TRAILER_LENGTH;
		if (start < 0) {
			return stored;
		}
		String tail = new String(stored, start, TRAILER_LENGTH, StandardCharsets.US_ASCII);
		return tail.startsWith(NONCE_PREFIX) && tail.endsWith("\n") ? Arrays.copyOf(stored, start) : stored;
	}

	@FunctionalInterface
	private interface Condition {

		void apply(PutObjectRequest.Builder request);

	}

}

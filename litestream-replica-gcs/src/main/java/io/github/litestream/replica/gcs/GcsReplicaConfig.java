package io.github.litestream.replica.gcs;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;

import io.github.litestream.replica.ReplicaUrls;
import org.jspecify.annotations.Nullable;

/**
 * Where a Google Cloud Storage replica lives, with Litestream v0.3.14's keys: {@code bucket}
 * and {@code path}, or the URL {@code gcs://bucket/path}. Credentials are Google's
 * application-default credentials, as in Litestream, so there are no secrets here.
 */
public final class GcsReplicaConfig {

	private static final String EXPECTED_URL = "gcs://bucket/path";

	private final String bucket;

	private final String path;

	private GcsReplicaConfig(String bucket, String path) {
		this.bucket = bucket;
		this.path = path;
	}

	/**
	 * A configuration from its parts.
	 * @param bucket the bucket
	 * @param path the object name prefix; slashes around it are removed
	 * @return the configuration
	 * @throws IllegalArgumentException if the bucket is missing
	 */
	public static GcsReplicaConfig of(@Nullable String bucket, @Nullable String path) {
		if (bucket == null || bucket.isBlank()) {
			throw new IllegalArgumentException(
					"A Google Cloud Storage replica needs a bucket: set 'bucket', or 'url' to " + EXPECTED_URL);
		}
		return new GcsReplicaConfig(bucket.trim(), normalisePath(path));
	}

	/**
	 * A configuration from {@code gcs://bucket/path}.
	 * @param url the URL
	 * @return the configuration
	 * @throws IllegalArgumentException naming the URL and the expected form if it is malformed
	 */
	public static GcsReplicaConfig fromUrl(String url) {
		URI uri;
		try {
			uri = new URI(url.trim());
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException("Invalid GCS replica url '" + ReplicaUrls.redact(url) + "': "
					+ ex.getReason() + "; expected " + EXPECTED_URL, ex);
		}
		if (!"gcs".equalsIgnoreCase(uri.getScheme())) {
			throw new IllegalArgumentException("Invalid GCS replica url '" + ReplicaUrls.redact(url)
					+ "': the scheme must be 'gcs'; expected " + EXPECTED_URL);
		}
		if (uri.getRawUserInfo() != null || uri.getPort() != -1 || uri.getRawQuery() != null
				|| uri.getRawFragment() != null) {
			throw new IllegalArgumentException("Invalid GCS replica url '" + ReplicaUrls.redact(url)
					+ "': users, ports, queries and fragments are not supported; expected " + EXPECTED_URL);
		}
		if (uri.getHost() == null || uri.getHost().isBlank()) {
			throw new IllegalArgumentException("Invalid GCS replica url '" + ReplicaUrls.redact(url)
					+ "': it names no bucket; expected " + EXPECTED_URL);
		}
		return new GcsReplicaConfig(uri.getHost(), normalisePath(uri.getPath()));
	}

	/**
	 * The bucket.
	 * @return the bucket
	 */
	public String bucket() {
		return this.bucket;
	}

	/**
	 * The prefix of every object name, without leading or trailing slash; empty for the
	 * bucket's root.
	 * @return the path
	 */
	public String path() {
		return this.path;
	}

	/**
	 * Where the replica lives, for logs and the actuator endpoint.
	 * @return {@code gcs://bucket/path}
	 */
	public String location() {
		return "gcs://" + this.bucket + (this.path.isEmpty() ? "" : "/" + this.path);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof GcsReplicaConfig that && this.bucket.equals(that.bucket) && this.path.equals(that.path);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.bucket, this.path);
	}

	@Override
	public String toString() {
		return "GcsReplicaConfig[" + location() + "]";
	}

	private static String normalisePath(@Nullable String path) {
		if (path == null) {
			return "";
		}
		String trimmed = path.trim();
		int start = 0;
		int end = trimmed.length();
		while (start < end && trimmed.charAt(start) == '/') {
			start++;
		}
		while (end > start && trimmed.charAt(end - 1) == '/') {
			end--;
		}
		return trimmed.substring(start, end);
	}

}

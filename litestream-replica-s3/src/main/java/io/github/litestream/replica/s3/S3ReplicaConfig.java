package io.github.litestream.replica.s3;

import java.net.URI;
import java.net.URISyntaxException;

import io.github.litestream.replica.ReplicaUrls;

/**
 * Where an S3 replica lives and how to reach it, with the same settings Litestream users
 * already write in {@code litestream.yml}.
 *
 * <p>Equal configurations can share one {@code S3Client}. The secret access key never appears
 * in {@link #toString()}, so a configuration can be logged safely.
 *
 * @param bucket the bucket name
 * @param path the key prefix under which {@code generations/} lives, without leading or
 * trailing slash; empty for the bucket's root
 * @param region the AWS region, or {@code null} to default it (see {@link S3ClientFactory})
 * @param endpoint the endpoint of an S3-compatible store such as MinIO or R2, or {@code null}
 * for AWS
 * @param forcePathStyle whether to address the bucket in the path rather than the host name
 * @param skipVerify whether to trust any TLS certificate (self-signed test stores only)
 * @param accessKeyId the replica's own access key id, or {@code null}
 * @param secretAccessKey the replica's own secret access key, or {@code null}
 */
public record S3ReplicaConfig(String bucket, String path, String region, String endpoint, boolean forcePathStyle,
		boolean skipVerify, String accessKeyId, String secretAccessKey) {

	private static final String EXPECTED_URL = "s3://bucket or s3://bucket/path";

	/**
	 * Validates and normalises the configuration.
	 * @param bucket the bucket
	 * @param path the path
	 * @param region the region
	 * @param endpoint the endpoint
	 * @param forcePathStyle whether to force path-style addressing
	 * @param skipVerify whether to skip TLS verification
	 * @param accessKeyId the access key id
	 * @param secretAccessKey the secret access key
	 */
	public S3ReplicaConfig {
		if (isBlank(bucket)) {
			throw new IllegalArgumentException(
					"S3 replica has no bucket: set the replica's 'bucket' or 'url' (" + EXPECTED_URL + ")");
		}
		if (bucket.contains("/")) {
			throw new IllegalArgumentException("Invalid S3 bucket name '" + bucket
					+ "': it must not contain '/'; put the key prefix in the replica's 'path'");
		}
		path = normalisePath(path);
		region = blankToNull(region);
		endpoint = normaliseEndpoint(blankToNull(endpoint));
		accessKeyId = blankToNull(accessKeyId);
		secretAccessKey = blankToNull(secretAccessKey);
		if ((accessKeyId == null) != (secretAccessKey == null)) {
			throw new IllegalArgumentException("S3 replica s3://" + bucket + pathSuffix(path)
					+ " sets only one of 'access-key-id' and 'secret-access-key': set both or neither");
		}
	}

	/**
	 * Starts a configuration.
	 * @return a builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Parses a replica URL as Litestream writes it.
	 * @param url such as {@code s3://my-bucket/backups/app}, or with a provider's host such as
	 * {@code s3://my-bucket.nyc3.digitaloceanspaces.com/backups/app} (see {@link S3UrlHost})
	 * @return what the URL names
	 * @throws IllegalArgumentException naming the URL and the expected form if it is malformed
	 */
	public static UrlParts parseUrl(String url) {
		if (isBlank(url)) {
			throw new IllegalArgumentException("S3 replica 'url' is empty: expected " + EXPECTED_URL);
		}
		URI uri;
		try {
			uri = new URI(url.trim());
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException("Invalid S3 replica url '" + ReplicaUrls.redact(url) + "': "
					+ ex.getReason() + "; expected " + EXPECTED_URL, ex);
		}
		if (!"s3".equalsIgnoreCase(uri.getScheme())) {
			throw new IllegalArgumentException("Invalid S3 replica url '" + ReplicaUrls.redact(url)
					+ "': the scheme must be 's3'; expected " + EXPECTED_URL);
		}
		if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
			throw new IllegalArgumentException("Invalid S3 replica url '" + ReplicaUrls.redact(url)
					+ "': credentials, queries and fragments are not supported (use 'access-key-id', "
					+ "'secret-access-key' and 'endpoint'); expected " + EXPECTED_URL);
		}
		if (isBlank(uri.getHost())) {
			throw new IllegalArgumentException("Invalid S3 replica url '" + ReplicaUrls.redact(url)
					+ "': it names no bucket; expected " + EXPECTED_URL);
		}
		S3UrlHost host;
		try {
			host = S3UrlHost.parse(uri.getHost(), uri.getPort());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("Invalid S3 replica url '" + ReplicaUrls.redact(url) + "': "
					+ ex.getMessage(), ex);
		}
		return new UrlParts(host.bucket(), normalisePath(uri.getPath()), host.region(), host.endpoint());
	}

	/**
	 * Where the replica lives, for logs and the actuator endpoint.
	 * @return {@code s3://bucket/path} (no credentials, no endpoint)
	 */
	public String location() {
		return "s3://" + this.bucket + pathSuffix(this.path);
	}

	/**
	 * The same store and bucket at the bucket's root, which is all a connection depends on:
	 * replicas that differ only in their path (the databases of a directory) share one.
	 * @return this configuration with an empty path
	 */
	public S3ReplicaConfig atRoot() {
		return this.path.isEmpty() ? this
				: new S3ReplicaConfig(this.bucket, "", this.region, this.endpoint, this.forcePathStyle, this.skipVerify,
						this.accessKeyId, this.secretAccessKey);
	}

	/**
	 * Whether the replica has its own credentials.
	 * @return {@code true} if both keys are set
	 */
	public boolean hasCredentials() {
		return this.accessKeyId != null;
	}

	@Override
	public String toString() {
		return "S3ReplicaConfig[location=" + location() + ", region=" + this.region + ", endpoint=" + this.endpoint
				+ ", forcePathStyle=" + this.forcePathStyle + ", skipVerify=" + this.skipVerify + ", accessKeyId="
				+ redact(this.accessKeyId) + ", secretAccessKey=" + redact(this.secretAccessKey) + "]";
	}

	private static String redact(String value) {
		return (value != null) ? "******" : "null";
	}


	private static String pathSuffix(String path) {
		return path.isEmpty() ? "" : "/" + path;
	}

	private static String normalisePath(String path) {
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

	private static String normaliseEndpoint(String endpoint) {
		if (endpoint == null) {
			return null;
		}
		String withScheme = endpoint.contains("://") ? endpoint : "https://" + endpoint;
		try {
			URI uri = new URI(withScheme);
			if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
				throw new URISyntaxException(endpoint, "no http(s) host");
			}
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException("Invalid S3 replica 'endpoint' '" + endpoint
					+ "': expected a URL such as http://localhost:9000 or https://<account>.r2.cloudflarestorage.com",
					ex);
		}
		return withScheme;
	}

	private static String blankToNull(String value) {
		return isBlank(value) ? null : value.trim();
	}

	private static boolean isBlank(String value) {
		return value == null || value.isBlank();
	}

	/**
	 * What a replica URL names.
	 *
	 * @param bucket the bucket, or {@code null} when a provider's host names none
	 * @param path the key prefix, without leading or trailing slash
	 * @param region the region a provider's host names, or {@code null}
	 * @param endpoint the endpoint of a provider's host, or {@code null} for AWS
	 */
	public record UrlParts(String bucket, String path, String region, String endpoint) {
	}

	/**
	 * Builds a configuration from Litestream-style settings; {@code force-path-style} defaults to
	 * {@code true} exactly when an endpoint is set.
	 */
	public static final class Builder {

		private String bucket;

		private String path;

		private String region;

		private String endpoint;

		private Boolean forcePathStyle;

		private boolean skipVerify;

		private String accessKeyId;

		private String secretAccessKey;

		private Builder() {
		}

		/**
		 * Sets bucket and path from a URL, and the region and endpoint of a provider's host;
		 * a later setting of any of them overrides the URL's.
		 * @param url such as {@code s3://bucket/path}
		 * @return this builder
		 */
		public Builder url(String url) {
			UrlParts parsed = parseUrl(url);
			this.bucket = parsed.bucket();
			this.path = parsed.path();
			// An AWS host names neither: what was set before stays.
			this.region = (parsed.region() != null) ? parsed.region() : this.region;
			this.endpoint = (parsed.endpoint() != null) ? parsed.endpoint() : this.endpoint;
			return this;
		}

		/**
		 * Sets the bucket.
		 * @param bucket the bucket
		 * @return this builder
		 */
		public Builder bucket(String bucket) {
			this.bucket = bucket;
			return this;
		}

		/**
		 * Sets the key prefix; slashes around it are removed.
		 * @param path the path
		 * @return this builder
		 */
		public Builder path(String path) {
			this.path = path;
			return this;
		}

		/**
		 * Sets the region.
		 * @param region the region, or {@code null}
		 * @return this builder
		 */
		public Builder region(String region) {
			this.region = region;
			return this;
		}

		/**
		 * Sets the endpoint of an S3-compatible store.
		 * @param endpoint the endpoint, or {@code null} for AWS
		 * @return this builder
		 */
		public Builder endpoint(String endpoint) {
			this.endpoint = endpoint;
			return this;
		}

		/**
		 * Sets path-style addressing explicitly.
		 * @param forcePathStyle the setting, or {@code null} for the default
		 * @return this builder
		 */
		public Builder forcePathStyle(Boolean forcePathStyle) {
			this.forcePathStyle = forcePathStyle;
			return this;
		}

		/**
		 * Sets whether TLS certificates are not verified.
		 * @param skipVerify the setting
		 * @return this builder
		 */
		public Builder skipVerify(boolean skipVerify) {
			this.skipVerify = skipVerify;
			return this;
		}

		/**
		 * Sets the replica's own credentials.
		 * @param accessKeyId the access key id
		 * @param secretAccessKey the secret access key
		 * @return this builder
		 */
		public Builder credentials(String accessKeyId, String secretAccessKey) {
			this.accessKeyId = accessKeyId;
			this.secretAccessKey = secretAccessKey;
			return this;
		}

		/**
		 * Builds the configuration.
		 * @return the configuration
		 * @throws IllegalArgumentException naming the property to fix
		 */
		public S3ReplicaConfig build() {
			boolean pathStyle = (this.forcePathStyle != null) ? this.forcePathStyle : !isBlank(this.endpoint);
			return new S3ReplicaConfig(this.bucket, this.path, this.region, this.endpoint, pathStyle, this.skipVerify,
					this.accessKeyId, this.secretAccessKey);
		}

	}

}

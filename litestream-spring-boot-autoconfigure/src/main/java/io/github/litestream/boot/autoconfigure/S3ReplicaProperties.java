package io.github.litestream.boot.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * The keys of an {@code s3} replica entry beyond the common ones, bound by
 * {@link S3ReplicaClientProvider} from {@code litestream.dbs[n].replicas[m]}.
 * {@link #toString()} never shows credentials.
 */
public class S3ReplicaProperties {

	/**
	 * Bucket of an S3 replica.
	 */
	private @Nullable String bucket;

	/**
	 * Region of an S3 replica.
	 */
	private @Nullable String region;

	/**
	 * Endpoint of an S3-compatible service, such as MinIO.
	 */
	private @Nullable String endpoint;

	/**
	 * Whether to use path-style S3 requests; when unset, path style is used exactly when an
	 * endpoint is set, as most S3-compatible services need.
	 */
	private @Nullable Boolean forcePathStyle;

	/**
	 * Whether to skip TLS certificate verification of the S3 endpoint.
	 */
	private boolean skipVerify;

	/**
	 * Access key ID of this replica; overrides litestream.access-key-id.
	 */
	private @Nullable String accessKeyId;

	/**
	 * Secret access key of this replica; overrides litestream.secret-access-key.
	 */
	private @Nullable String secretAccessKey;

	public @Nullable String getBucket() {
		return this.bucket;
	}

	public void setBucket(@Nullable String bucket) {
		this.bucket = bucket;
	}

	public @Nullable String getRegion() {
		return this.region;
	}

	public void setRegion(@Nullable String region) {
		this.region = region;
	}

	public @Nullable String getEndpoint() {
		return this.endpoint;
	}

	public void setEndpoint(@Nullable String endpoint) {
		this.endpoint = endpoint;
	}

	public @Nullable Boolean getForcePathStyle() {
		return this.forcePathStyle;
	}

	public void setForcePathStyle(@Nullable Boolean forcePathStyle) {
		this.forcePathStyle = forcePathStyle;
	}

	public boolean isSkipVerify() {
		return this.skipVerify;
	}

	public void setSkipVerify(boolean skipVerify) {
		this.skipVerify = skipVerify;
	}

	public @Nullable String getAccessKeyId() {
		return this.accessKeyId;
	}

	public void setAccessKeyId(@Nullable String accessKeyId) {
		this.accessKeyId = accessKeyId;
	}

	public @Nullable String getSecretAccessKey() {
		return this.secretAccessKey;
	}

	public void setSecretAccessKey(@Nullable String secretAccessKey) {
		this.secretAccessKey = secretAccessKey;
	}

	@Override
	public String toString() {
		return "S3ReplicaProperties[bucket=" + this.bucket + ", region=" + this.region + ", endpoint=" + this.endpoint
				+ ", accessKeyId=" + Secrets.redact(this.accessKeyId) + ", secretAccessKey="
				+ Secrets.redact(this.secretAccessKey) + "]";
	}

}

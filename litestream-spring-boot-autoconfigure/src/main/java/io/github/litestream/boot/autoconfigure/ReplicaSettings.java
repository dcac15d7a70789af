package io.github.litestream.boot.autoconfigure;

import io.github.litestream.replica.ReplicaOptions;
import org.jspecify.annotations.Nullable;

/**
 * One replica's validated configuration: its location split out of {@code url} or taken from
 * {@code type}/{@code bucket}/{@code path}, credentials with the global ones filled in, and
 * its engine options. {@link #toString()} never shows credentials.
 *
 * @param property the property prefix it came from, such as
 * {@code litestream.dbs[0].replicas[1]}, for error messages
 * @param type the replica type, such as {@code file} or {@code s3}
 * @param bucket the bucket, or {@code null}
 * @param path the directory or key prefix, or {@code null}
 * @param region the region, or {@code null}
 * @param endpoint the endpoint of an S3-compatible service, or {@code null}
 * @param forcePathStyle whether to use path-style S3 requests, or {@code null} for the default
 * @param skipVerify whether to skip TLS certificate verification
 * @param accessKeyId the access key ID, or {@code null} for the default credentials
 * @param secretAccessKey the secret access key, or {@code null}
 * @param options the engine options, including the replica's name
 */
public record ReplicaSettings(String property, String type, @Nullable String bucket, @Nullable String path,
		@Nullable String region, @Nullable String endpoint, @Nullable Boolean forcePathStyle, boolean skipVerify,
		@Nullable String accessKeyId, @Nullable String secretAccessKey, ReplicaOptions options) {

	/**
	 * The replica's name, unique within its database.
	 * @return the name
	 */
	public String name() {
		return this.options.name();
	}

	@Override
	public String toString() {
		return "ReplicaSettings[" + this.property + ", name=" + name() + ", type=" + this.type + ", bucket="
				+ this.bucket + ", path=" + this.path + ", region=" + this.region + ", endpoint=" + this.endpoint
				+ ", accessKeyId=" + Secrets.redact(this.accessKeyId) + ", secretAccessKey="
				+ Secrets.redact(this.secretAccessKey) + "]";
	}

}

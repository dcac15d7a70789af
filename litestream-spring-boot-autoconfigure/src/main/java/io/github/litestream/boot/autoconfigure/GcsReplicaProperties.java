package io.github.litestream.boot.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * The keys of a {@code gcs} (Google Cloud Storage) replica entry beyond the common ones, bound
 * by {@link GcsReplicaClientProvider}; the same as Litestream's. Credentials are Google's
 * application-default credentials, so there are no secrets here.
 */
public class GcsReplicaProperties {

	/**
	 * Bucket of a Google Cloud Storage replica; may instead come from the url (gcs://bucket/path).
	 */
	private @Nullable String bucket;

	public @Nullable String getBucket() {
		return this.bucket;
	}

	public void setBucket(@Nullable String bucket) {
		this.bucket = bucket;
	}

	@Override
	public String toString() {
		return "GcsReplicaProperties[bucket=" + this.bucket + "]";
	}

}

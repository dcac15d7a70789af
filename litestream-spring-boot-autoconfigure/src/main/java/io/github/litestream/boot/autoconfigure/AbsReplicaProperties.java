package io.github.litestream.boot.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * The keys of an {@code abs} (Azure Blob Storage) replica entry beyond the common ones, bound
 * by {@link AbsReplicaClientProvider} from {@code litestream.dbs[n].replicas[m]}; the same keys
 * as Litestream's. {@link #toString()} never shows the account key.
 */
public class AbsReplicaProperties {

	/**
	 * Storage account of an Azure Blob Storage replica; may instead come from the url
	 * (abs://account@container/path).
	 */
	private @Nullable String accountName;

	/**
	 * Shared key of the storage account; LITESTREAM_AZURE_ACCOUNT_KEY when unset.
	 */
	private @Nullable String accountKey;

	/**
	 * Container of an Azure Blob Storage replica (Litestream calls it bucket). It must exist.
	 */
	private @Nullable String bucket;

	/**
	 * Blob service endpoint, such as http://127.0.0.1:10000/devstoreaccount1 for Azurite;
	 * https://<account>.blob.core.windows.net when unset.
	 */
	private @Nullable String endpoint;

	public @Nullable String getAccountName() {
		return this.accountName;
	}

	public void setAccountName(@Nullable String accountName) {
		this.accountName = accountName;
	}

	public @Nullable String getAccountKey() {
		return this.accountKey;
	}

	public void setAccountKey(@Nullable String accountKey) {
		this.accountKey = accountKey;
	}

	public @Nullable String getBucket() {
		return this.bucket;
	}

	public void setBucket(@Nullable String bucket) {
		this.bucket = bucket;
	}

	public @Nullable String getEndpoint() {
		return this.endpoint;
	}

	public void setEndpoint(@Nullable String endpoint) {
		this.endpoint = endpoint;
	}

	@Override
	public String toString() {
		return "AbsReplicaProperties[accountName=" + this.accountName + ", bucket=" + this.bucket + ", endpoint="
				+ this.endpoint + ", accountKey=" + Secrets.redact(this.accountKey) + "]";
	}

}

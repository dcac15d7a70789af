package io.github.litestream.replica.abs;

import java.time.Duration;

import com.azure.core.http.HttpClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;

/**
 * Builds the {@link BlobContainerClient} of one replica: shared-key credentials (as Litestream
 * uses), the JDK HTTP transport ({@link JdkAzureHttpClient}) and the SDK's exponential retries
 * with jitter for throttling, 5xx answers, timeouts and connection failures, bounded so a dead
 * service fails a sync in well under a minute instead of hanging it.
 *
 * <p>One transport is shared by every client of a factory; it holds no threads of its own
 * beyond the JDK client's selector.
 */
public final class AbsClientFactory {

	static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

	static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

	private static final int DEFAULT_MAX_TRIES = 4;

	/**
	 * The SDK's bound on one try, which includes sending the request's body: a backstop only,
	 * long enough for an 8 MiB block at the transport's slowest upload rate. The transport's own
	 * timeouts (connecting, the answer's headers, each read of its body) catch a dead service.
	 */
	private static final Duration TRY_TIMEOUT = Duration.ofMinutes(15);

	private final HttpClient transport = new JdkAzureHttpClient(CONNECT_TIMEOUT, RESPONSE_TIMEOUT, RESPONSE_TIMEOUT);

	private final int maxTries;

	private final Duration retryDelay;

	private final Duration maxRetryDelay;

	private AbsClientFactory(int maxTries, Duration retryDelay, Duration maxRetryDelay) {
		this.maxTries = maxTries;
		this.retryDelay = retryDelay;
		this.maxRetryDelay = maxRetryDelay;
	}

	/**
	 * A factory with four tries per request, 1 s to 8 s apart.
	 * @return the factory
	 */
	public static AbsClientFactory withDefaults() {
		return new AbsClientFactory(DEFAULT_MAX_TRIES, Duration.ofSeconds(1), Duration.ofSeconds(8));
	}

	/**
	 * A factory with other retry settings (tests use short delays).
	 * @param maxTries tries per request, at least 1
	 * @param retryDelay the delay before the first retry, doubled each time
	 * @param maxRetryDelay the longest delay
	 * @return the factory
	 */
	public static AbsClientFactory withRetries(int maxTries, Duration retryDelay, Duration maxRetryDelay) {
		return new AbsClientFactory(maxTries, retryDelay, maxRetryDelay);
	}

	/**
	 * Builds a client for a replica's container. It needs no closing.
	 * @param config the replica
	 * @return the container's client
	 */
	public BlobContainerClient create(AbsReplicaConfig config) {
		return new BlobServiceClientBuilder().endpoint(config.endpoint())
			.credential(new StorageSharedKeyCredential(config.accountName(), config.accountKey()))
			.httpClient(this.transport)
			.retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, this.maxTries, TRY_TIMEOUT,
					this.retryDelay, this.maxRetryDelay, null))
			.buildClient()
			.getBlobContainerClient(config.container());
	}

}

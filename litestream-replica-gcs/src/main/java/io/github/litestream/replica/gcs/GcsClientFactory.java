package io.github.litestream.replica.gcs;

import java.time.Duration;
import java.util.function.Function;

import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import com.google.cloud.storage.StorageRetryStrategy;
import org.jspecify.annotations.Nullable;

/**
 * Builds the {@link Storage} client of the replicas: the JSON API over the JDK's
 * {@code HttpURLConnection} (google-http-client's default transport), Google's
 * application-default credentials as Litestream uses, and exponential backoff with jitter for
 * every request (5 attempts, 1 s to 8 s apart). The replica's writes may be retried freely: an
 * object is rewritten whole with the same bytes.
 *
 * <p>When the environment variable {@code STORAGE_EMULATOR_HOST} is set, as Google's Go client
 * (and so Litestream) honours it, requests go to that host without credentials.
 */
public final class GcsClientFactory {

	/** The environment variable that points Google's clients at an emulator. */
	public static final String EMULATOR_HOST_VARIABLE = "STORAGE_EMULATOR_HOST";

	private final Function<String, @Nullable String> environment;

	private final RetrySettings retries;

	private GcsClientFactory(Function<String, @Nullable String> environment, int maxAttempts, Duration firstDelay,
			Duration maxDelay) {
		this.environment = environment;
		this.retries = RetrySettings.newBuilder()
			.setMaxAttempts(maxAttempts)
			.setInitialRetryDelayDuration(firstDelay)
			.setRetryDelayMultiplier(2.0)
			.setMaxRetryDelayDuration(maxDelay)
			.setTotalTimeoutDuration(Duration.ofMinutes(5))
			.setInitialRpcTimeoutDuration(Duration.ofSeconds(60))
			.setMaxRpcTimeoutDuration(Duration.ofSeconds(60))
			.build();
	}

	/**
	 * A factory reading the real environment, with the default retries.
	 * @return the factory
	 */
	public static GcsClientFactory withDefaults() {
		return withDefaults(System::getenv);
	}

	/**
	 * A factory with the default retries that reads {@code STORAGE_EMULATOR_HOST} from an
	 * application's environment.
	 * @param environment variable or property name to value
	 * @return the factory
	 */
	public static GcsClientFactory withDefaults(Function<String, @Nullable String> environment) {
		return new GcsClientFactory(environment, 5, Duration.ofSeconds(1), Duration.ofSeconds(8));
	}

	/**
	 * A factory with another environment and retries (tests).
	 * @param environment variable name to value
	 * @param maxAttempts attempts per request, at least 1
	 * @param firstDelay the delay before the first retry, doubled each time
	 * @param maxDelay the longest delay
	 * @return the factory
	 */
	public static GcsClientFactory with(Function<String, @Nullable String> environment, int maxAttempts,
			Duration firstDelay, Duration maxDelay) {
		return new GcsClientFactory(environment, maxAttempts, firstDelay, maxDelay);
	}

	/**
	 * Builds a client. The caller closes it.
	 * @return the client
	 */
	public Storage create() {
		StorageOptions.Builder builder = StorageOptions.http()
			.setRetrySettings(this.retries)
			.setStorageRetryStrategy(StorageRetryStrategy.getUniformStorageRetryStrategy());
		String emulator = this.environment.apply(EMULATOR_HOST_VARIABLE);
		if (emulator != null && !emulator.isBlank()) {
			builder.setHost(emulator.contains("://") ? emulator : "http://" + emulator)
				.setCredentials(NoCredentials.getInstance())
				.setProjectId("litestream-emulator");
		}
		return builder.build().getService();
	}

	/**
	 * Where requests go, for messages.
	 * @return the emulator's host, or Google Cloud Storage
	 */
	public String target() {
		String emulator = this.environment.apply(EMULATOR_HOST_VARIABLE);
		return (emulator != null && !emulator.isBlank()) ? "the emulator at " + emulator + " (" + EMULATOR_HOST_VARIABLE
				+ ")" : "storage.googleapis.com";
	}

}

package io.github.litestream.boot.autoconfigure;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import com.azure.storage.blob.BlobContainerClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.abs.AbsClientFactory;
import io.github.litestream.replica.abs.AbsReplicaClient;
import io.github.litestream.replica.abs.AbsReplicaConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * Configures and creates {@code abs} (Azure Blob Storage) replicas from
 * {@code abs://account@container/path} or {@code account-name}/{@code bucket}/{@code path}, with
 * the account key from {@code account-key} or {@code LITESTREAM_AZURE_ACCOUNT_KEY}, as Litestream
 * does. Replicas with equal configurations share one container client.
 */
final class AbsReplicaClientProvider implements ReplicaClientProvider {

	private static final Set<String> KEYS = Set.of("account-name", "account-key", "bucket", "endpoint");

	/** The keys an error message may name, most specific first. */
	private static final List<String> NAMED_KEYS = List.of("account-key", "account-name", "bucket", "endpoint", "url");

	private final AbsClientFactory factory;

	private final Function<String, @Nullable String> environment;

	private final Map<AbsReplicaConfig, BlobContainerClient> clients = new ConcurrentHashMap<>();

	/**
	 * Creates a provider.
	 * @param factory creates the container clients
	 * @param environment where {@code LITESTREAM_AZURE_ACCOUNT_KEY} is looked up
	 */
	AbsReplicaClientProvider(AbsClientFactory factory, Function<String, @Nullable String> environment) {
		this.factory = factory;
		this.environment = environment;
	}

	@Override
	public String type() {
		return "abs";
	}

	@Override
	public Set<String> keys() {
		return KEYS;
	}

	@Override
	public AbsReplicaConfig configure(ReplicaEntry entry) {
		AbsReplicaProperties properties = entry.bind(AbsReplicaProperties.class);
		URI url = entry.url();
		if (url != null && StringUtils.hasText(properties.getBucket())) {
			throw new LitestreamConfigurationException(entry.property("bucket"),
					"both url and bucket are set, so the replica's container is ambiguous",
					"Remove either " + entry.property("url") + " or " + entry.property("bucket") + ".");
		}
		try {
			return AbsReplicaConfig.builder()
				.url((url != null) ? url.toString() : null)
				.accountName(properties.getAccountName())
				.accountKey(properties.getAccountKey())
				.container(properties.getBucket())
				.path(entry.path())
				.endpoint(properties.getEndpoint())
				.environment(this.environment)
				.build();
		}
		catch (IllegalArgumentException ex) {
			String message = String.valueOf(ex.getMessage());
			String key = NAMED_KEYS.stream().filter((name) -> message.contains("'" + name + "'")).findFirst().orElse(null);
			throw new LitestreamConfigurationException((key != null) ? entry.property(key) : entry.property(), message,
					"Fix the Azure settings under " + entry.property() + ".", ex);
		}
	}

	@Override
	public ReplicaClient create(ReplicaSettings settings, ReplicaOperationListener listener) {
		AbsReplicaConfig config = settings.backend(AbsReplicaConfig.class);
		// One client per container: the databases of a directory differ only in their path.
		BlobContainerClient container = this.clients.computeIfAbsent(config.atRoot(), this.factory::create);
		return new AbsReplicaClient(container, config, listener);
	}

}

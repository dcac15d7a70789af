package io.github.litestream.boot.autoconfigure;

import java.net.URI;
import java.util.Set;

import com.google.cloud.storage.Storage;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.gcs.GcsClientFactory;
import io.github.litestream.replica.gcs.GcsReplicaClient;
import io.github.litestream.replica.gcs.GcsReplicaConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.util.StringUtils;

/**
 * Configures and creates {@code gcs} (Google Cloud Storage) replicas from
 * {@code gcs://bucket/path} or {@code bucket}/{@code path}, with Google's application-default
 * credentials, as Litestream does. All replicas share one client, created on first use and
 * closed with the application context.
 */
final class GcsReplicaClientProvider implements ReplicaClientProvider, DisposableBean {

	private static final Set<String> KEYS = Set.of("bucket");

	private final GcsClientFactory factory;

	private @Nullable Storage storage;

	GcsReplicaClientProvider(GcsClientFactory factory) {
		this.factory = factory;
	}

	@Override
	public String type() {
		return "gcs";
	}

	@Override
	public Set<String> keys() {
		return KEYS;
	}

	@Override
	public GcsReplicaConfig configure(ReplicaEntry entry) {
		GcsReplicaProperties properties = entry.bind(GcsReplicaProperties.class);
		URI url = entry.url();
		if (url != null && StringUtils.hasText(properties.getBucket())) {
			throw new LitestreamConfigurationException(entry.property("bucket"),
					"both url and bucket are set, so the replica's bucket is ambiguous",
					"Remove either " + entry.property("url") + " or " + entry.property("bucket") + ".");
		}
		try {
			return (url != null) ? GcsReplicaConfig.fromUrl(url.toString())
					: GcsReplicaConfig.of(properties.getBucket(), entry.path());
		}
		catch (IllegalArgumentException ex) {
			throw new LitestreamConfigurationException(entry.property((url != null) ? "url" : "bucket"),
					ex.getMessage(), "Fix the Google Cloud Storage settings under " + entry.property() + ".", ex);
		}
	}

	@Override
	public ReplicaClient create(ReplicaSettings settings, ReplicaOperationListener listener) {
		return new GcsReplicaClient(storage(), settings.backend(GcsReplicaConfig.class), listener, this.factory.target());
	}

	private synchronized Storage storage() {
		if (this.storage == null) {
			this.storage = this.factory.create();
		}
		return this.storage;
	}

	@Override
	public synchronized void destroy() throws Exception {
		if (this.storage != null) {
			this.storage.close();
			this.storage = null;
		}
	}

}

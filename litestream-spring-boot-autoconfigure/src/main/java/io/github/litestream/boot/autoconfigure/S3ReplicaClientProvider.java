package io.github.litestream.boot.autoconfigure;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.s3.S3ClientFactory;
import io.github.litestream.replica.s3.S3ReplicaClient;
import io.github.litestream.replica.s3.S3ReplicaConfig;
import software.amazon.awssdk.services.s3.S3Client;

import org.springframework.beans.factory.DisposableBean;

/**
 * Creates {@code s3} replicas. Replicas with equal configurations share one {@link S3Client}
 * (the restore at boot and the replication afterwards, for example); the clients are closed
 * when the application context closes.
 */
final class S3ReplicaClientProvider implements ReplicaClientProvider, DisposableBean {

	private final S3ClientFactory factory;

	private final Map<S3ReplicaConfig, S3Client> clients = new ConcurrentHashMap<>();

	S3ReplicaClientProvider(S3ClientFactory factory) {
		this.factory = factory;
	}

	@Override
	public String type() {
		return "s3";
	}

	@Override
	public ReplicaClient create(ReplicaSettings settings, ReplicaOperationListener listener) {
		S3ReplicaConfig config;
		try {
			config = S3ReplicaConfig.builder()
				.bucket(settings.bucket())
				.path(settings.path())
				.region(settings.region())
				.endpoint(settings.endpoint())
				.forcePathStyle(settings.forcePathStyle())
				.skipVerify(settings.skipVerify())
				.credentials(settings.accessKeyId(), settings.secretAccessKey())
				.build();
		}
		catch (IllegalArgumentException ex) {
			throw new LitestreamConfigurationException(settings.property(), ex.getMessage(),
					"Fix the S3 settings under " + settings.property() + ".", ex);
		}
		S3Client s3 = this.clients.computeIfAbsent(config, this.factory::create);
		return new S3ReplicaClient(s3, config, listener);
	}

	@Override
	public void destroy() {
		this.clients.values().forEach(S3Client::close);
		this.clients.clear();
	}

}

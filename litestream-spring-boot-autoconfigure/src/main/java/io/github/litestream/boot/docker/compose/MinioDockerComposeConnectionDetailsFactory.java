package io.github.litestream.boot.docker.compose;

import java.util.Map;

import io.github.litestream.boot.autoconfigure.LitestreamS3ConnectionDetails;

import org.springframework.boot.docker.compose.core.RunningService;
import org.springframework.boot.docker.compose.service.connection.DockerComposeConnectionDetailsFactory;
import org.springframework.boot.docker.compose.service.connection.DockerComposeConnectionSource;

/**
 * Creates {@link LitestreamS3ConnectionDetails} for a MinIO service that Spring Boot's Docker
 * Compose support started, so a development setup replicates to it without configuration.
 */
class MinioDockerComposeConnectionDetailsFactory
		extends DockerComposeConnectionDetailsFactory<LitestreamS3ConnectionDetails> {

	private static final String[] MINIO_IMAGES = { "minio/minio", "bitnami/minio" };

	MinioDockerComposeConnectionDetailsFactory() {
		super(MINIO_IMAGES);
	}

	@Override
	protected LitestreamS3ConnectionDetails getDockerComposeConnectionDetails(DockerComposeConnectionSource source) {
		return new MinioDockerComposeConnectionDetails(source.getRunningService());
	}

	/**
	 * The service's S3 port and root credentials, as MinIO reads them from its environment.
	 */
	static final class MinioDockerComposeConnectionDetails extends DockerComposeConnectionDetails
			implements LitestreamS3ConnectionDetails {

		/** MinIO's S3 API port inside the container. */
		private static final int S3_PORT = 9000;

		/** What MinIO uses when no root user is set. */
		private static final String DEFAULT_CREDENTIAL = "minioadmin";

		private final String endpoint;

		private final String accessKeyId;

		private final String secretAccessKey;

		MinioDockerComposeConnectionDetails(RunningService service) {
			super(service);
			Map<String, String> env = service.env();
			this.endpoint = "http://" + service.host() + ":" + service.ports().get(S3_PORT);
			this.accessKeyId = env.getOrDefault("MINIO_ROOT_USER", DEFAULT_CREDENTIAL);
			this.secretAccessKey = env.getOrDefault("MINIO_ROOT_PASSWORD", DEFAULT_CREDENTIAL);
		}

		@Override
		public String endpoint() {
			return this.endpoint;
		}

		@Override
		public String accessKeyId() {
			return this.accessKeyId;
		}

		@Override
		public String secretAccessKey() {
			return this.secretAccessKey;
		}

	}

}

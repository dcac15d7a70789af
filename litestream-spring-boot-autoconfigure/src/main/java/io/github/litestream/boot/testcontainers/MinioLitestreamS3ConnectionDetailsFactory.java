package io.github.litestream.boot.testcontainers;

import io.github.litestream.boot.autoconfigure.LitestreamS3ConnectionDetails;
import org.testcontainers.containers.MinIOContainer;

import org.springframework.boot.testcontainers.service.connection.ContainerConnectionDetailsFactory;
import org.springframework.boot.testcontainers.service.connection.ContainerConnectionSource;

/**
 * Creates {@link LitestreamS3ConnectionDetails} for a {@link MinIOContainer} annotated with
 * {@code @ServiceConnection}, so an application's integration tests replicate to a real S3
 * store with one annotation.
 */
class MinioLitestreamS3ConnectionDetailsFactory
		extends ContainerConnectionDetailsFactory<MinIOContainer, LitestreamS3ConnectionDetails> {

	MinioLitestreamS3ConnectionDetailsFactory() {
		super(ANY_CONNECTION_NAME, "org.testcontainers.containers.MinIOContainer");
	}

	@Override
	protected LitestreamS3ConnectionDetails getContainerConnectionDetails(
			ContainerConnectionSource<MinIOContainer> source) {
		return new MinioConnectionDetails(source);
	}

	/**
	 * The container's S3 endpoint and root credentials, read once it has started.
	 */
	static final class MinioConnectionDetails extends ContainerConnectionDetails<MinIOContainer>
			implements LitestreamS3ConnectionDetails {

		MinioConnectionDetails(ContainerConnectionSource<MinIOContainer> source) {
			super(source);
		}

		@Override
		public String endpoint() {
			return getContainer().getS3URL();
		}

		@Override
		public String accessKeyId() {
			return getContainer().getUserName();
		}

		@Override
		public String secretAccessKey() {
			return getContainer().getPassword();
		}

	}

}

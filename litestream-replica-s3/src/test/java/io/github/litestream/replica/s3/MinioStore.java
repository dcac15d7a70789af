package io.github.litestream.replica.s3;

import java.util.UUID;

import org.testcontainers.containers.MinIOContainer;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A MinIO container as an {@link S3TestStore}. An outage pauses the container: its port stays
 * mapped, so requests hang (up to the client's timeouts) instead of failing, and resume where
 * they were once it is unpaused.
 */
final class MinioStore implements S3TestStore {

	/** The MinIO release the tests run against. */
	static final String IMAGE = "minio/minio:RELEASE.2023-09-04T19-57-37Z";

	private final MinIOContainer minio;

	private final S3ClientFactory factory = S3ClientFactory.builder().environment((name) -> null).build();

	MinioStore(MinIOContainer minio) {
		this.minio = minio;
	}

	@Override
	public String createBucket() {
		String bucket = "test-" + UUID.randomUUID().toString().substring(0, 18);
		createBucket(bucket);
		return bucket;
	}

	@Override
	public void createBucket(String bucket) {
		try (S3Client admin = this.factory.create(configBuilder("admin", "").credentials(accessKeyId(),
				secretAccessKey()).build())) {
			admin.createBucket((request) -> request.bucket(bucket));
		}
	}

	@Override
	public S3ReplicaConfig.Builder configBuilder(String bucket, String path) {
		return S3ReplicaConfig.builder().bucket(bucket).path(path).endpoint(this.minio.getS3URL());
	}

	@Override
	public String accessKeyId() {
		return this.minio.getUserName();
	}

	@Override
	public String secretAccessKey() {
		return this.minio.getPassword();
	}

	@Override
	public void interrupt() {
		this.minio.getDockerClient().pauseContainerCmd(this.minio.getContainerId()).exec();
	}

	@Override
	public void resume() {
		this.minio.getDockerClient().unpauseContainerCmd(this.minio.getContainerId()).exec();
	}

	@Override
	public boolean interruptionFailsRequests() {
		return false;
	}

}

package io.github.litestream.replica.s3;

import java.util.UUID;

import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * {@link S3ReplicaClient} against a real MinIO server; skipped (not failed) where Docker is
 * not available.
 */
@Testcontainers(disabledWithoutDocker = true)
class S3ReplicaClientMinioTests extends AbstractS3ReplicaClientTests {

	@Container
	static final MinIOContainer minio = new MinIOContainer(MinioStore.IMAGE);

	@Override
	String createBucket() {
		String bucket = "test-" + UUID.randomUUID().toString().substring(0, 18);
		try (var admin = this.factory.create(config("admin", ""))) {
			admin.createBucket((request) -> request.bucket(bucket));
		}
		return bucket;
	}

	@Override
	S3ReplicaConfig config(String bucket, String path) {
		return S3ReplicaConfig.builder()
			.bucket(bucket)
			.path(path)
			.endpoint(minio.getS3URL())
			.credentials(minio.getUserName(), minio.getPassword())
			.build();
	}

}

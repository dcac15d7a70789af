package io.github.litestream.replica.s3;

import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * {@link AbstractS3ReplicationTests} against a real MinIO server; skipped (not failed)
 * where Docker is not available.
 */
@Testcontainers(disabledWithoutDocker = true)
class S3ReplicationMinioTests extends AbstractS3ReplicationTests {

	@Container
	static final MinIOContainer minio = new MinIOContainer(MinioStore.IMAGE);

	@Override
	S3TestStore store() {
		return new MinioStore(minio);
	}

}

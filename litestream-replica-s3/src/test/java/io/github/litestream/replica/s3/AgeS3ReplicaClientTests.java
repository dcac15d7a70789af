package io.github.litestream.replica.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

import io.github.litestream.age.AgeFileSize;
import io.github.litestream.age.AgeIdentity;
import io.github.litestream.replica.AgeReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.RecordingOperationListener;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaClientContractTest;
import io.github.litestream.replica.WalSegmentInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The age-encrypting client over S3 (S3Proxy in-process) against the replica contract, and an
 * encrypted object larger than one multipart upload part: encryption streams into the upload.
 */
class AgeS3ReplicaClientTests extends ReplicaClientContractTest {

	@RegisterExtension
	static final S3ProxyServer server = new S3ProxyServer();

	private static final String PATH = "backups/app";

	private final AgeIdentity identity = AgeIdentity.generate();

	private String bucket;

	private S3Client s3;

	@Override
	protected ReplicaClient createClient() {
		this.bucket = server.createBucket();
		S3ReplicaConfig config = server.config(this.bucket, PATH);
		this.s3 = S3ClientFactory.builder().environment((name) -> null).build().create(config);
		return new AgeReplicaClient(
				new S3ReplicaClient(this.s3, config, new RecordingOperationListener(), S3StreamingUploader.MIN_PART_SIZE),
				List.of(this.identity.recipient()), List.of(this.identity));
	}

	@Override
	protected void putRawObject(String key, byte[] content) {
		this.s3.putObject((request) -> request.bucket(this.bucket).key(PATH + "/" + key), RequestBody.fromBytes(content));
	}

	@Override
	protected long storedSize(int written) {
		return AgeFileSize.of(written, 1);
	}

	@Override
	protected int manySegmentCount() {
		return 120;
	}

	@AfterEach
	void closeS3Client() {
		if (this.s3 != null) {
			this.s3.close();
		}
	}

	@Test
	void anEncryptedObjectLargerThanAPartStreamsIntoAMultipartUpload() throws IOException {
		byte[] content = randomBytes(2 * S3StreamingUploader.MIN_PART_SIZE + 12345);
		WalSegmentInfo written = this.client.writeWalSegment(new Pos(GEN_A, 1, 0), new ByteArrayInputStream(content));
		assertThat(written.size()).isEqualTo(AgeFileSize.of(content.length, 1));
		assertThat(read(this.client.openWalSegment(new Pos(GEN_A, 1, 0)))).isEqualTo(content);
	}

}

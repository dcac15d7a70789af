package io.github.litestream.replica.s3;

import java.nio.file.Files;
import java.nio.file.Path;

import io.github.litestream.ReplicaObjects;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Every object below an S3 replica's path, downloaded key by key, so that the checks of the
 * stock Litestream CLI's view ({@code StockLayout}, {@code CliRestore}) read the bucket's real
 * keys and bytes.
 */
public final class S3ReplicaObjects implements ReplicaObjects {

	private final S3ReplicaConfig config;

	/**
	 * Creates it.
	 * @param config the replica, with credentials
	 */
	public S3ReplicaObjects(S3ReplicaConfig config) {
		this.config = config;
	}

	@Override
	public Path localTree(Path scratch) throws Exception {
		String prefix = this.config.path().isEmpty() ? "" : this.config.path() + "/";
		try (S3Client s3 = S3ClientFactory.withDefaults().create(this.config)) {
			for (S3Object object : s3.listObjectsV2Paginator((request) -> request.bucket(this.config.bucket())
				.prefix(prefix)).contents()) {
				Path file = scratch.resolve(object.key().substring(prefix.length()));
				Files.createDirectories(file.getParent());
				Files.write(file, s3.getObjectAsBytes((request) -> request.bucket(this.config.bucket())
					.key(object.key())).asByteArray());
			}
		}
		return scratch;
	}

}

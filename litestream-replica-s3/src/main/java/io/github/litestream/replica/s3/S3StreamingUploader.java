package io.github.litestream.replica.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.github.litestream.replica.FirstPart;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Writes a stream of unknown length to one S3 key with memory bounded by one part.
 *
 * <p>It reads up to one part. If the stream ends there, one PutObject with a known length
 * stores it (every WAL segment and small snapshot takes this path). Otherwise it starts a
 * multipart upload and sends part after part, each read into the same buffer. S3 makes a
 * multipart object visible only when the upload is completed, so a failure part-way (the
 * stream or the store) aborts the upload and leaves nothing under the key.
 */
final class S3StreamingUploader {

	/** Default part size: large enough for few requests, small enough to keep heap use low. */
	static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;

	/** S3's smallest part size (every part but the last). */
	static final int MIN_PART_SIZE = 5 * 1024 * 1024;

	private static final Logger logger = LoggerFactory.getLogger(S3StreamingUploader.class);

	private final Supplier<S3Client> s3;

	private final S3ReplicaConfig config;

	private final ReplicaOperationListener listener;

	private final int partSize;

	S3StreamingUploader(Supplier<S3Client> s3, S3ReplicaConfig config, ReplicaOperationListener listener,
			int partSize) {
		if (partSize < MIN_PART_SIZE) {
			throw new IllegalArgumentException("Part size " + partSize + " is below S3's minimum of " + MIN_PART_SIZE);
		}
		this.s3 = s3;
		this.config = config;
		this.listener = listener;
		this.partSize = partSize;
	}

	/**
	 * Uploads a stream to a key.
	 * @param key the final key
	 * @param content the bytes; read to the end, not closed
	 * @return the number of bytes stored
	 * @throws IOException if the stream or the store fails; nothing is then visible
	 */
	long upload(String key, InputStream content) throws IOException {
		PushbackInputStream in = new PushbackInputStream(content, 1);
		// Grown as the stream goes on: a WAL segment of a few KiB (one per synchronous commit)
		// must not cost a zeroed part-sized array.
		FirstPart first = FirstPart.read(in, this.partSize);
		if (!first.more()) {
			putObject(key, first.buffer(), first.length());
			return first.length();
		}
		return uploadMultipart(key, in, first.buffer());
	}

	private void putObject(String key, byte[] buffer, int length) throws IOException {
		try {
			this.s3.get()
				.putObject((request) -> request.bucket(this.config.bucket()).key(key).contentLength((long) length),
					body(buffer, length));
		}
		catch (SdkException ex) {
			throw S3Errors.translate(ex, "write object", this.config, key);
		}
		finally {
			this.listener.onOperation(ReplicaOperation.PUT, length);
		}
	}

	private long uploadMultipart(String key, PushbackInputStream in, byte[] buffer) throws IOException {
		String uploadId = createMultipartUpload(key);
		try {
			List<CompletedPart> parts = new ArrayList<>();
			long total = 0;
			int length = buffer.length;
			while (length > 0) {
				parts.add(uploadPart(key, uploadId, parts.size() + 1, buffer, length));
				total += length;
				length = in.readNBytes(buffer, 0, buffer.length);
			}
			completeMultipartUpload(key, uploadId, parts);
			return total;
		}
		catch (IOException | RuntimeException | Error ex) {
			abort(key, uploadId, ex);
			throw ex;
		}
	}

	private String createMultipartUpload(String key) throws IOException {
		try {
			return this.s3.get()
				.createMultipartUpload((request) -> request.bucket(this.config.bucket()).key(key))
				.uploadId();
		}
		catch (SdkException ex) {
			throw S3Errors.translate(ex, "start a multipart upload", this.config, key);
		}
		finally {
			this.listener.onOperation(ReplicaOperation.PUT, 0);
		}
	}

	private CompletedPart uploadPart(String key, String uploadId, int partNumber, byte[] buffer, int length)
			throws IOException {
		try {
			String etag = this.s3.get()
				.uploadPart((request) -> request.bucket(this.config.bucket())
					.key(key)
					.uploadId(uploadId)
					.partNumber(partNumber)
					.contentLength((long) length), body(buffer, length))
				.eTag();
			return CompletedPart.builder().partNumber(partNumber).eTag(etag).build();
		}
		catch (SdkException ex) {
			throw S3Errors.translate(ex, "upload part " + partNumber, this.config, key);
		}
		finally {
			this.listener.onOperation(ReplicaOperation.PUT, length);
		}
	}

	private void completeMultipartUpload(String key, String uploadId, List<CompletedPart> parts) throws IOException {
		try {
			this.s3.get().completeMultipartUpload((request) -> request.bucket(this.config.bucket())
				.key(key)
				.uploadId(uploadId)
				.multipartUpload((upload) -> upload.parts(parts)));
		}
		catch (SdkException ex) {
			throw S3Errors.translate(ex, "complete a multipart upload", this.config, key);
		}
		finally {
			this.listener.onOperation(ReplicaOperation.PUT, 0);
		}
	}

	private void abort(String key, String uploadId, Throwable failure) {
		try {
			this.s3.get().abortMultipartUpload(
					(request) -> request.bucket(this.config.bucket()).key(key).uploadId(uploadId));
			this.listener.onOperation(ReplicaOperation.DELETE, 0);
		}
		catch (SdkException ex) {
			failure.addSuppressed(ex);
			logger.warn("Cannot abort multipart upload of '{}' in S3 replica {}; an incomplete upload is left for the "
					+ "bucket's lifecycle rule to remove: {}", key, this.config.location(), ex.getMessage());
		}
	}

	/** A body that re-reads the buffer on retries instead of copying it. */
	private static RequestBody body(byte[] buffer, int length) {
		return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length,
				"application/octet-stream");
	}

}

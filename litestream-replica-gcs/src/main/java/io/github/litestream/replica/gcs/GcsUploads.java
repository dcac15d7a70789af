package io.github.litestream.replica.gcs;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;

import com.google.cloud.BaseServiceException;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobListOption;
import io.github.litestream.replica.FirstPart;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.gcs.GcsReplicaException.Reason;

/**
 * Writes the objects of a {@link GcsReplicaClient}: up to one chunk with one request, larger
 * ones with a resumable upload that sends chunk after chunk from one buffer and makes the
 * object visible only when the last chunk arrives (an upload abandoned part-way leaves nothing).
 *
 * <p>A chunk's PUT to the upload session answers HTTP 404 when the session expired or was
 * cancelled, and also when the bucket is gone: one listing of the bucket, which only a missing
 * bucket fails with 404, tells the two apart. A lost session wrote nothing; the object is
 * uploaded whole again, in a new session, by the next attempt.
 */
final class GcsUploads {

	private final Storage storage;

	private final GcsReplicaConfig config;

	private final ReplicaOperationListener listener;

	private final String target;

	private final int chunkSize;

	GcsUploads(Storage storage, GcsReplicaConfig config, ReplicaOperationListener listener, String target,
			int chunkSize) {
		this.storage = storage;
		this.config = config;
		this.listener = listener;
		this.target = target;
		this.chunkSize = chunkSize;
	}

	/**
	 * Writes an object whole.
	 * @param name the object's name
	 * @param content its bytes
	 * @return how many bytes were written
	 * @throws IOException if the content cannot be read or the object written; nothing is then
	 * visible of it
	 */
	long upload(String name, InputStream content) throws IOException {
		BlobInfo info = BlobInfo.newBuilder(BlobId.of(this.config.bucket(), name))
			.setContentType("application/octet-stream")
			.build();
		PushbackInputStream in = new PushbackInputStream(content, 1);
		FirstPart first = FirstPart.read(in, this.chunkSize);
		byte[] buffer = first.buffer();
		int length = first.length();
		if (!first.more()) {
			try {
				this.storage.create(info, buffer, 0, length);
			}
			catch (RuntimeException ex) {
				throw translate(ex, "write object", name);
			}
			finally {
				this.listener.onOperation(ReplicaOperation.PUT, length);
			}
			return length;
		}
		return uploadResumable(info, name, in, buffer, length);
	}

	private long uploadResumable(BlobInfo info, String name, InputStream in, byte[] buffer, int first)
			throws IOException {
		WriteChannel writer;
		try {
			writer = this.storage.writer(info);
		}
		catch (RuntimeException ex) {
			throw translate(ex, "start an upload", name);
		}
		writer.setChunkSize(this.chunkSize);
		long total = 0;
		int length = first;
		try {
			while (length > 0) {
				ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, length);
				while (chunk.hasRemaining()) {
					writer.write(chunk);
				}
				this.listener.onOperation(ReplicaOperation.PUT, length);
				total += length;
				length = in.readNBytes(buffer, 0, buffer.length);
			}
			// Closing sends the last chunk and completes the upload: only then is the object visible.
			writer.close();
			return total;
		}
		catch (RuntimeException ex) {
			throw uploadFailed(ex, name);
		}
		catch (IOException ex) {
			// The source failed: the session is left incomplete, never closed, so nothing appears.
			if (ex.getCause() instanceof RuntimeException cause) {
				throw uploadFailed(cause, name);
			}
			throw ex;
		}
	}

	/** A chunk failed; a 404 is the session's loss unless a listing finds the bucket missing. */
	private IOException uploadFailed(RuntimeException ex, String name) {
		if (!(ex instanceof BaseServiceException service) || service.getCode() != 404) {
			return translate(ex, "upload", name);
		}
		IOException lost = GcsErrors.uploadSessionLost(service, this.config, name);
		try {
			this.storage.list(this.config.bucket(), BlobListOption.prefix(name), BlobListOption.pageSize(1));
		}
		catch (RuntimeException listing) {
			IOException bucket = translate(listing, "upload", name);
			if (bucket instanceof GcsReplicaException gcs && gcs.reason() == Reason.NO_SUCH_BUCKET) {
				return bucket;
			}
			// Unknown (unreachable, say): the upload's own failure is what is known.
			lost.addSuppressed(bucket);
		}
		finally {
			this.listener.onOperation(ReplicaOperation.LIST, 0);
		}
		return lost;
	}

	private IOException translate(RuntimeException ex, String action, String name) {
		return GcsErrors.translate(ex, action, this.config, name, this.target);
	}

}

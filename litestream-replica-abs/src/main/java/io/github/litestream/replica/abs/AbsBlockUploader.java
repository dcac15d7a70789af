package io.github.litestream.replica.abs;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.specialized.BlockBlobClient;
import io.github.litestream.replica.FirstPart;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Writes a stream of unknown length to one blob with memory bounded by one block.
 *
 * <p>It reads up to one block, into an array that grows with what arrives. If the stream ends
 * there, one Put Blob stores it (every WAL segment and small snapshot takes this path). Otherwise it stages block after block, each read
 * into the same buffer, and commits the list at the end. Staged blocks are invisible until the
 * commit, so a failure part-way leaves the blob as it was (Azure discards uncommitted blocks
 * after a week).
 */
final class AbsBlockUploader {

	/** Default block size: few requests per snapshot, little heap. */
	static final int DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;

	private final BlobContainerClient container;

	private final AbsReplicaConfig config;

	private final ReplicaOperationListener listener;

	private final int blockSize;

	AbsBlockUploader(BlobContainerClient container, AbsReplicaConfig config, ReplicaOperationListener listener,
			int blockSize) {
		if (blockSize < 1) {
			throw new IllegalArgumentException("Block size must be positive: " + blockSize);
		}
		this.container = container;
		this.config = config;
		this.listener = listener;
		this.blockSize = blockSize;
	}

	/**
	 * Uploads a stream to a blob, replacing it.
	 * @param name the blob name
	 * @param content the bytes; read to the end, not closed
	 * @return the number of bytes stored
	 * @throws IOException if the stream or the service fails; the blob is then unchanged
	 */
	long upload(String name, InputStream content) throws IOException {
		BlockBlobClient blob = this.container.getBlobClient(name).getBlockBlobClient();
		PushbackInputStream in = new PushbackInputStream(content, 1);
		FirstPart first = FirstPart.read(in, this.blockSize);
		if (!first.more()) {
			putBlob(blob, name, first.buffer(), first.length());
			return first.length();
		}
		// Blocks staged for a blob are shared by every upload to it until one commits: ids of
		// their own keep another upload of the same name (a paused former primary's) out of ours.
		String upload = UUID.randomUUID().toString().replace("-", "");
		byte[] buffer = first.buffer();
		int length = first.length();
		List<String> blockIds = new ArrayList<>();
		long total = 0;
		while (length > 0) {
			String blockId = blockId(upload, blockIds.size());
			stageBlock(blob, name, blockId, buffer, length);
			blockIds.add(blockId);
			total += length;
			length = in.readNBytes(buffer, 0, buffer.length);
		}
		commit(blob, name, blockIds);
		return total;
	}

	private void putBlob(BlockBlobClient blob, String name, byte[] buffer, int length) throws IOException {
		try {
			blob.upload(data(buffer, length), true);
		}
		catch (RuntimeException ex) {
			throw AbsErrors.translate(ex, "write blob", this.config, name);
		}
		finally {
			this.listener.onOperation(ReplicaOperation.PUT, length);
		}
	}

	private void stageBlock(BlockBlobClient blob, String name, String blockId, byte[] buffer, int length)
			throws IOException {
		try {
			blob.stageBlock(blockId, data(buffer, length));
		}
		catch (RuntimeException ex) {
			throw AbsErrors.translate(ex, "stage a block", this.config, name);
		}
		finally {
			this.listener.onOperation(ReplicaOperation.PUT, length);
		}
	}

	private void commit(BlockBlobClient blob, String name, List<String> blockIds) throws IOException {
		try {
			blob.commitBlockList(blockIds, true);
		}
		catch (RuntimeException ex) {
			throw AbsErrors.translate(ex, "commit " + blockIds.size() + " blocks", this.config, name);
		}
		finally {
			this.listener.onOperation(ReplicaOperation.PUT, 0);
		}
	}

	/** A body over the buffer itself: the SDK re-reads it on a retry, and the call returns before the buffer is reused. */
	private static BinaryData data(byte[] buffer, int length) {
		return BinaryData.fromByteBuffer(ByteBuffer.wrap(buffer, 0, length).asReadOnlyBuffer());
	}

	/**
	 * Block ids of one blob must all have the same length: 32 hex digits of the upload and eight
	 * of the block (Azure allows 50,000 blocks), 40 bytes before Base64, within Azure's 64.
	 */
	static String blockId(String upload, int number) {
		return Base64.getEncoder()
			.encodeToString((upload + String.format("%08d", number)).getBytes(StandardCharsets.US_ASCII));
	}

}

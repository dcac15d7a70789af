package io.github.litestream.replica.abs;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.specialized.BlockBlobClient;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Writes a stream of unknown length to one blob with memory bounded by one block.
 *
 * <p>It reads up to one block. If the stream ends there, one Put Blob stores it (every WAL
 * segment and small snapshot takes this path). Otherwise it stages block after block, each read
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
		byte[] buffer = new byte[this.blockSize];
		int length = in.readNBytes(buffer, 0, buffer.length);
		if (length < buffer.length || !hasMore(in)) {
			putBlob(blob, name, buffer, length);
			return length;
		}
		List<String> blockIds = new ArrayList<>();
		long total = 0;
		while (length > 0) {
			String blockId = blockId(blockIds.size());
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

	/** Block ids of one blob must all have the same length; eight digits allow 50,000 blocks, Azure's limit. */
	private static String blockId(int number) {
		return Base64.getEncoder().encodeToString(String.format("%08d", number).getBytes(StandardCharsets.US_ASCII));
	}

	private static boolean hasMore(PushbackInputStream in) throws IOException {
		int next = in.read();
		if (next == -1) {
			return false;
		}
		in.unread(next);
		return true;
	}

}

package io.github.litestream.replica.abs;

import java.io.IOException;
import java.util.Optional;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobDownloadContentResponse;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalWriteConflictException;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * {@link ConditionalObjects} on Azure Blob Storage: the version is the blob's ETag. A create is
 * one Put Blob with {@code If-None-Match: *}, a replace one Put Blob with {@code If-Match} of
 * the ETag read; the service checks the condition and writes the blob in one step, and answers
 * a failed one with 409 (the blob exists) or 412 (the ETag changed). A read returns the content
 * and the ETag of the same response, so they always belong together.
 */
final class AbsConditionalObjects implements ConditionalObjects {

	private final BlobContainerClient container;

	private final AbsReplicaConfig config;

	private final ReplicaOperationListener listener;

	AbsConditionalObjects(BlobContainerClient container, AbsReplicaConfig config, ReplicaOperationListener listener) {
		this.container = container;
		this.config = config;
		this.listener = listener;
	}

	@Override
	public Optional<VersionedObject> read(String name) throws IOException {
		String blob = blobName(name);
		long size = 0;
		try {
			BlobDownloadContentResponse response = this.container.getBlobClient(blob)
				.downloadContentWithResponse(null, null, null, null);
			byte[] content = response.getValue().toBytes();
			size = content.length;
			return Optional.of(new VersionedObject(content, response.getDeserializedHeaders().getETag()));
		}
		catch (BlobStorageException ex) {
			if (BlobErrorCode.BLOB_NOT_FOUND.equals(ex.getErrorCode())) {
				return Optional.empty();
			}
			throw AbsErrors.translate(ex, "read blob", this.config, blob);
		}
		catch (RuntimeException ex) {
			throw AbsErrors.translate(ex, "read blob", this.config, blob);
		}
		finally {
			this.listener.onOperation(ReplicaOperation.GET, size);
		}
	}

	@Override
	public String create(String name, byte[] content) throws IOException {
		return put(name, content, new BlobRequestConditions().setIfNoneMatch("*"), "it already exists");
	}

	@Override
	public String replace(String name, byte[] content, String version) throws IOException {
		return put(name, content, new BlobRequestConditions().setIfMatch(version),
				"it changed since version " + version + " was read, or it no longer exists");
	}

	private String put(String name, byte[] content, BlobRequestConditions conditions, String conflict)
			throws IOException {
		String blob = blobName(name);
		try {
			BlockBlobSimpleUploadOptions options = new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(content))
				.setRequestConditions(conditions);
			return this.container.getBlobClient(blob)
				.getBlockBlobClient()
				.uploadWithResponse(options, null, null)
				.getValue()
				.getETag();
		}
		catch (BlobStorageException ex) {
			if (isConditionFailure(ex)) {
				throw new ConditionalWriteConflictException("Not written: blob '" + blob + "' of Azure replica "
						+ this.config.location() + ", because " + conflict + " [HTTP " + ex.getStatusCode() + "]");
			}
			throw AbsErrors.translate(ex, "write blob", this.config, blob);
		}
		catch (RuntimeException ex) {
			throw AbsErrors.translate(ex, "write blob", this.config, blob);
		}
		finally {
			this.listener.onOperation(ReplicaOperation.PUT, content.length);
		}
	}

	/**
	 * Whether the service refused the write only because its condition failed: 409 for an
	 * existing blob under {@code If-None-Match: *}, 412 for another ETag or for an
	 * {@code If-Match} on a blob that is gone (Azure and Azurite both answer 412 there); a 404
	 * for the blob itself would mean the same, as the contract counts a vanished object as changed.
	 */
	private static boolean isConditionFailure(BlobStorageException ex) {
		BlobErrorCode code = ex.getErrorCode();
		return ex.getStatusCode() == 412 || BlobErrorCode.BLOB_ALREADY_EXISTS.equals(code)
				|| BlobErrorCode.CONDITION_NOT_MET.equals(code) || BlobErrorCode.BLOB_NOT_FOUND.equals(code);
	}

	private String blobName(String name) {
		if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
			throw new IllegalArgumentException("Not a name at the replica root: '" + name + "'");
		}
		return this.config.path().isEmpty() ? name : this.config.path() + "/" + name;
	}

}

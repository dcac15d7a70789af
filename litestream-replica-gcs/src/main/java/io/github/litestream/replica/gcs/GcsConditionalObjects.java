package io.github.litestream.replica.gcs;

import java.io.IOException;
import java.util.Optional;

import com.google.cloud.BaseServiceException;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.Storage.BlobTargetOption;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalWriteConflictException;
import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * {@link ConditionalObjects} on Google Cloud Storage: the version is the object's generation,
 * which the service gives every write anew. A create is one upload with
 * {@code ifGenerationMatch=0} (the object must not exist), a replace one with
 * {@code ifGenerationMatch} of the generation read; the service checks and writes in one
 * step and answers a failed condition with 412. A read fetches the object's metadata, then
 * the bytes of that very generation, so content and version belong together; if the object
 * was replaced in between, it reads again.
 *
 * <p>Preview, like the rest of this backend: it follows Google's documented preconditions but
 * has not run against the service or an emulator.
 */
final class GcsConditionalObjects implements ConditionalObjects {

	private static final int READ_ATTEMPTS = 5;

	private final Storage storage;

	private final GcsReplicaConfig config;

	private final ReplicaOperationListener listener;

	private final String target;

	GcsConditionalObjects(Storage storage, GcsReplicaConfig config, ReplicaOperationListener listener, String target) {
		this.storage = storage;
		this.config = config;
		this.listener = listener;
		this.target = target;
	}

	@Override
	public Optional<VersionedObject> read(String name) throws IOException {
		String object = objectName(name);
		for (int attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
			Blob blob;
			try {
				blob = this.storage.get(BlobId.of(this.config.bucket(), object));
			}
			catch (RuntimeException ex) {
				throw GcsErrors.translate(ex, "read object", this.config, object, this.target);
			}
			finally {
				this.listener.onOperation(ReplicaOperation.GET, 0);
			}
			if (blob == null) {
				return Optional.empty();
			}
			long generation = blob.getGeneration();
			byte[] content;
			try {
				content = this.storage.readAllBytes(BlobId.of(this.config.bucket(), object, generation));
			}
			catch (RuntimeException ex) {
				if (ex instanceof BaseServiceException service && service.getCode() == 404) {
					continue; // replaced since its metadata was read
				}
				throw GcsErrors.translate(ex, "read object", this.config, object, this.target);
			}
			this.listener.onOperation(ReplicaOperation.GET, content.length);
			return Optional.of(new VersionedObject(content, Long.toString(generation)));
		}
		throw new IOException("Cannot read object '" + object + "' in GCS replica " + this.config.location()
				+ ": it was replaced " + READ_ATTEMPTS + " times while it was being read");
	}

	@Override
	public String create(String name, byte[] content) throws IOException {
		return write(name, content, BlobTargetOption.doesNotExist(), "it already exists");
	}

	@Override
	public String replace(String name, byte[] content, String version) throws IOException {
		long generation;
		try {
			generation = Long.parseLong(version);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("Not a generation of an object in a GCS replica: '" + version + "'");
		}
		return write(name, content, BlobTargetOption.generationMatch(generation),
				"its generation is no longer " + version + ", or it no longer exists");
	}

	private String write(String name, byte[] content, BlobTargetOption condition, String conflict) throws IOException {
		String object = objectName(name);
		BlobInfo info = BlobInfo.newBuilder(BlobId.of(this.config.bucket(), object))
			.setContentType("application/octet-stream")
			.build();
		try {
			return Long.toString(this.storage.create(info, content, condition).getGeneration());
		}
		catch (RuntimeException ex) {
			if (isConditionFailure(ex)) {
				throw new ConditionalWriteConflictException("Not written: object '" + object + "' in GCS replica "
						+ this.config.location() + ", because " + conflict + " [HTTP 412]");
			}
			throw GcsErrors.translate(ex, "write object", this.config, object, this.target);
		}
		finally {
			this.listener.onOperation(ReplicaOperation.PUT, content.length);
		}
	}

	/**
	 * Whether the service refused a write only because its precondition failed.
	 * @param ex what the client threw
	 * @return {@code true} for HTTP 412
	 */
	static boolean isConditionFailure(RuntimeException ex) {
		return ex instanceof BaseServiceException service && service.getCode() == 412;
	}

	private String objectName(String name) {
		if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
			throw new IllegalArgumentException("Not a name at the replica root: '" + name + "'");
		}
		return this.config.path().isEmpty() ? name : this.config.path() + "/" + name;
	}

}

package io.github.litestream.replica.s3;

import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.s3.S3ReplicaException.Reason;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;

/**
 * Deletes keys with DeleteObjects, at most 1,000 per request (S3's limit), in quiet mode so
 * the answer lists only failures. A key that is already gone is not a failure; any other
 * per-key error fails the call, naming the key, so retention never believes it freed
 * something it did not.
 */
final class S3BatchDeleter {

	private final Supplier<S3Client> s3;

	private final S3ReplicaConfig config;

	private final ReplicaOperationListener listener;

	private final int batchSize;

	S3BatchDeleter(Supplier<S3Client> s3, S3ReplicaConfig config, ReplicaOperationListener listener, int batchSize) {
		this.s3 = s3;
		this.config = config;
		this.listener = listener;
		this.batchSize = batchSize;
	}

	/**
	 * Deletes keys; missing keys are ignored.
	 * @param keys the full keys
	 * @throws IOException if a request or any key fails
	 */
	void delete(List<String> keys) throws IOException {
		for (int from = 0; from < keys.size(); from += this.batchSize) {
			deleteBatch(keys.subList(from, Math.min(keys.size(), from + this.batchSize)));
		}
	}

	private void deleteBatch(List<String> keys) throws IOException {
		List<ObjectIdentifier> objects = keys.stream().map((key) -> ObjectIdentifier.builder().key(key).build()).toList();
		DeleteObjectsResponse response;
		try {
			response = this.s3.get().deleteObjects((request) -> request.bucket(this.config.bucket())
				.delete((delete) -> delete.objects(objects).quiet(true)));
		}
		catch (SdkException ex) {
			throw S3Errors.translate(ex, "delete " + keys.size() + " objects", this.config, keys.get(0));
		}
		finally {
			this.listener.onOperation(ReplicaOperation.DELETE, 0);
		}
		List<S3Error> errors = response.errors().stream().filter((error) -> !"NoSuchKey".equals(error.code())).toList();
		if (!errors.isEmpty()) {
			S3Error first = errors.get(0);
			Reason reason = "AccessDenied".equals(first.code()) ? Reason.ACCESS_DENIED : Reason.OTHER;
			String fix = (reason == Reason.ACCESS_DENIED) ? ". Allow s3:DeleteObject on prefix '" + this.config.path()
					+ "' in the IAM (or bucket) policy" : "";
			throw new S3ReplicaException(reason, "Cannot delete " + errors.size() + " of " + keys.size()
					+ " objects in S3 replica " + this.config.location() + " (bucket '" + this.config.bucket()
					+ "'); first: key '" + first.key() + "': " + first.code() + " - " + first.message() + fix, null);
		}
	}

}

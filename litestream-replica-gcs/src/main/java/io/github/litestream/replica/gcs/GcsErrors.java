package io.github.litestream.replica.gcs;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

import javax.net.ssl.SSLException;

import com.google.cloud.BaseServiceException;
import io.github.litestream.replica.ReplicaObjectNotFoundException;
import io.github.litestream.replica.gcs.GcsReplicaException.Reason;

/**
 * Turns the client's exceptions into {@link IOException}s that say what to fix, built from the
 * replica's location, bucket, object name, status and the service's reason only.
 */
final class GcsErrors {

	private static final String CREDENTIALS_FIX = "Provide Google application-default credentials: "
			+ "GOOGLE_APPLICATION_CREDENTIALS naming a service-account key file, `gcloud auth application-default login`, "
			+ "or the service account of the machine it runs on";

	private GcsErrors() {
	}

	/**
	 * Translates a failed request that lists or creates objects: an HTTP 404 there means that the
	 * bucket is missing (a resumable upload's chunks are the exception: see {@link GcsUploads}).
	 * @param ex what the client threw
	 * @param action what was being done, such as "list WAL segments"
	 * @param config the replica
	 * @param name the object name or prefix involved
	 * @param target where requests go, for unreachable services
	 * @return the exception to throw
	 */
	static IOException translate(RuntimeException ex, String action, GcsReplicaConfig config, String name,
			String target) {
		return translate(ex, action, config, name, target, false);
	}

	/**
	 * Translates a failed request.
	 * @param ex what the client threw
	 * @param action what was being done, such as "read object"
	 * @param config the replica
	 * @param name the object name or prefix involved
	 * @param target where requests go, for unreachable services
	 * @param readsObject whether the request reads an existing object: an HTTP 404 there means
	 * that the object is missing, unless the service says it is the bucket
	 * @return the exception to throw: a {@link ReplicaObjectNotFoundException} for a missing
	 * object
	 */
	static IOException translate(RuntimeException ex, String action, GcsReplicaConfig config, String name,
			String target, boolean readsObject) {
		String what = what(action, config, name);
		if (isUnreachable(ex)) {
			return new GcsReplicaException(Reason.UNREACHABLE, what + ": cannot reach " + target + " (" + rootMessage(ex)
					+ "). Check the network, or " + GcsClientFactory.EMULATOR_HOST_VARIABLE + " for an emulator", ex);
		}
		String message = String.valueOf(ex.getMessage());
		if (message.toLowerCase(Locale.ROOT).contains("default credentials")) {
			return new GcsReplicaException(Reason.INVALID_CREDENTIALS, what + ": no credentials. " + CREDENTIALS_FIX, ex);
		}
		if (ex instanceof BaseServiceException service) {
			int code = service.getCode();
			String detail = detail(service);
			if (code == 404) {
				return notFound(service, what, detail, config, name, readsObject);
			}
			if (code == 401) {
				return new GcsReplicaException(Reason.INVALID_CREDENTIALS,
						what + ": the credentials were rejected" + detail + ". " + CREDENTIALS_FIX, ex);
			}
			if (code == 403) {
				return new GcsReplicaException(Reason.ACCESS_DENIED, what + ": access denied" + detail
						+ ". Grant the credentials' account roles/storage.objectAdmin on bucket '" + config.bucket() + "'",
						ex);
			}
			return new GcsReplicaException(Reason.OTHER, what + ": " + message + detail, ex);
		}
		return new GcsReplicaException(Reason.OTHER, what + ": " + rootMessage(ex), ex);
	}

	/**
	 * A chunk of a resumable upload was answered HTTP 404 while the bucket exists: the upload
	 * session expired or was cancelled (GCS keeps one for a week). Nothing was written.
	 * @param ex what the client threw
	 * @param config the replica
	 * @param name the object being uploaded
	 * @return the exception to throw
	 */
	static GcsReplicaException uploadSessionLost(BaseServiceException ex, GcsReplicaConfig config, String name) {
		return new GcsReplicaException(Reason.UPLOAD_SESSION_LOST, what("upload", config, name)
				+ ": the resumable upload session expired or was cancelled before the upload completed" + detail(ex)
				+ "; nothing was written, and the next attempt uploads the object again in a new session", ex);
	}

	private static String what(String action, GcsReplicaConfig config, String name) {
		return "Cannot " + action + " in GCS replica " + config.location() + " (bucket '" + config.bucket()
				+ "', object '" + name + "')";
	}

	private static String detail(BaseServiceException ex) {
		String reason = ex.getReason();
		return " [" + ((reason != null && !reason.isEmpty()) ? reason + ", " : "") + "HTTP " + ex.getCode() + "]";
	}

	/**
	 * GCS answers a missing bucket and a missing object alike (HTTP 404, reason {@code notFound});
	 * only the message differs: "The specified bucket does not exist." or "No such object: …".
	 */
	private static IOException notFound(BaseServiceException ex, String what, String detail, GcsReplicaConfig config,
			String name, boolean readsObject) {
		if (readsObject && !saysNoSuchBucket(ex)) {
			return new ReplicaObjectNotFoundException(
					"No object '" + name + "' in bucket '" + config.bucket() + "' of GCS replica " + config.location());
		}
		return new GcsReplicaException(Reason.NO_SUCH_BUCKET, what + ": bucket '" + config.bucket()
				+ "' does not exist" + detail + ". Create it, or fix the replica's 'bucket' or 'url'", ex);
	}

	private static boolean saysNoSuchBucket(BaseServiceException ex) {
		return String.valueOf(ex.getMessage()).toLowerCase(Locale.ROOT).contains("bucket does not exist");
	}

	private static boolean isUnreachable(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConnectException || cause instanceof UnknownHostException
					|| cause instanceof NoRouteToHostException || cause instanceof SocketTimeoutException
					|| cause instanceof SSLException) {
				return true;
			}
		}
		return false;
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName() + ((root.getMessage() != null) ? ": " + root.getMessage() : "");
	}

}

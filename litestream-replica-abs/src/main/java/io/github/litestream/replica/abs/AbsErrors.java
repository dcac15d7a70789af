package io.github.litestream.replica.abs;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;

import javax.net.ssl.SSLException;

import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;
import io.github.litestream.replica.ReplicaObjectNotFoundException;
import io.github.litestream.replica.abs.AbsReplicaException.Reason;

/**
 * Turns the Azure SDK's exceptions into {@link IOException}s that say what to fix. Messages are
 * built from the replica's location, container, blob name, error code and status only; the
 * service's own message is left out because it may echo the string that was signed.
 */
final class AbsErrors {

	private AbsErrors() {
	}

	/**
	 * Translates a failed request.
	 * @param ex what the SDK threw
	 * @param action what was being done, such as "list WAL segments"
	 * @param config the replica
	 * @param name the blob name or prefix involved
	 * @return the exception to throw
	 */
	static IOException translate(RuntimeException ex, String action, AbsReplicaConfig config, String name) {
		String what = "Cannot " + action + " in Azure replica " + config.location() + " (container '" + config.container()
				+ "', blob '" + name + "')";
		if (ex instanceof BlobStorageException storage) {
			return translateService(storage, what, config, name);
		}
		if (isUnreachable(ex)) {
			return new AbsReplicaException(Reason.UNREACHABLE, what + ": cannot reach endpoint " + config.endpoint() + " ("
					+ rootMessage(ex) + "). Check the replica's 'account-name' and 'endpoint', or that the service "
					+ "is running and reachable", ex);
		}
		return new AbsReplicaException(Reason.OTHER, what + ": " + rootMessage(ex), ex);
	}

	private static IOException translateService(BlobStorageException ex, String what, AbsReplicaConfig config,
			String name) {
		BlobErrorCode code = ex.getErrorCode();
		int status = ex.getStatusCode();
		String detail = " [" + ((code != null) ? code + ", " : "") + "HTTP " + status + "]";
		if (BlobErrorCode.BLOB_NOT_FOUND.equals(code) || (status == 404 && code == null)) {
			return new ReplicaObjectNotFoundException("No blob '" + name + "' in container '" + config.container()
					+ "' of Azure replica " + config.location());
		}
		if (BlobErrorCode.CONTAINER_NOT_FOUND.equals(code)) {
			return new AbsReplicaException(Reason.NO_SUCH_CONTAINER, what + ": container '" + config.container()
					+ "' does not exist" + detail + ". Create it (Litestream does not create containers either), or "
					+ "fix the replica's 'bucket' or 'url'", ex);
		}
		String credentials = "Fix 'account-name', and 'account-key' or " + AbsReplicaConfig.ACCOUNT_KEY_VARIABLE;
		if (BlobErrorCode.AUTHENTICATION_FAILED.equals(code) || BlobErrorCode.INVALID_AUTHENTICATION_INFO.equals(code)
				|| BlobErrorCode.ACCOUNT_IS_DISABLED.equals(code)) {
			return new AbsReplicaException(Reason.INVALID_CREDENTIALS, what + ": the service rejected storage account '"
					+ config.accountName() + "' or its key" + detail + ". " + credentials, ex);
		}
		if (status == 403) {
			// Azurite answers a wrong key with AuthorizationFailure, which Azure uses for network rules too.
			return new AbsReplicaException(Reason.ACCESS_DENIED, what + ": the service refused storage account '"
					+ config.accountName() + "'" + detail + ". " + credentials + ", or allow shared-key access to the "
					+ "account from this network", ex);
		}
		return new AbsReplicaException(Reason.OTHER, what + ":" + detail, ex);
	}

	private static boolean isUnreachable(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConnectException || cause instanceof UnknownHostException
					|| cause instanceof NoRouteToHostException || cause instanceof SocketTimeoutException
					|| cause instanceof HttpTimeoutException || cause instanceof SSLException
					|| cause instanceof java.util.concurrent.TimeoutException) {
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

package io.github.litestream.replica.s3;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

import javax.net.ssl.SSLException;

import io.github.litestream.replica.ReplicaObjectNotFoundException;
import io.github.litestream.replica.s3.S3ReplicaException.Reason;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns SDK exceptions into {@link IOException}s that say what to fix. Messages are built only
 * from the replica's location, bucket, key, error code and the service's own error message,
 * never from credentials.
 */
final class S3Errors {

	private S3Errors() {
	}

	/**
	 * Translates a failed request.
	 * @param ex the SDK's exception
	 * @param action what was being done, such as "list WAL segments"
	 * @param config the replica
	 * @param key the key or prefix involved
	 * @return the exception to throw
	 */
	static IOException translate(SdkException ex, String action, S3ReplicaConfig config, String key) {
		String what = "Cannot " + action + " in S3 replica " + config.location() + " (bucket '" + config.bucket()
				+ "', key '" + key + "')";
		if (ex instanceof AwsServiceException service) {
			return translateService(service, what, config, key);
		}
		if (ex instanceof SdkClientException && isUnreachable(ex)) {
			return new S3ReplicaException(Reason.UNREACHABLE, what + ": cannot reach "
					+ endpointDescription(config) + " (" + rootMessage(ex) + "). Check the replica's 'endpoint' "
					+ "(and 'skip-verify' for self-signed TLS), or that the store is running and reachable", ex);
		}
		if (ex instanceof SdkClientException && ex.getMessage() != null
				&& ex.getMessage().startsWith("Unable to load credentials")) {
			// The SDK lists every provider it tried, in a paragraph; say where keys can come from.
			return new S3ReplicaException(Reason.INVALID_CREDENTIALS, what + ": no credentials found. Set "
					+ "'access-key-id'/'secret-access-key' (on the replica or under 'litestream'; a replica URL "
					+ "has no place for them), LITESTREAM_ACCESS_KEY_ID/LITESTREAM_SECRET_ACCESS_KEY or "
					+ "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an AWS profile or instance role", ex);
		}
		return new S3ReplicaException(Reason.OTHER, what + ": " + ex.getMessage(), ex);
	}

	private static IOException translateService(AwsServiceException ex, String what, S3ReplicaConfig config,
			String key) {
		String code = (ex.awsErrorDetails() != null) ? ex.awsErrorDetails().errorCode() : null;
		int status = ex.statusCode();
		String detail = " [" + ((code != null) ? code + ", " : "") + "HTTP " + status + "]";
		if ("NoSuchKey".equals(code) || (status == 404 && code == null && !key.endsWith("/"))) {
			return new ReplicaObjectNotFoundException(
					"No object '" + key + "' in bucket '" + config.bucket() + "' of S3 replica " + config.location());
		}
		if ("NoSuchBucket".equals(code)) {
			return new S3ReplicaException(Reason.NO_SUCH_BUCKET, what + ": bucket '" + config.bucket()
					+ "' does not exist" + detail + ". Create it, or fix the replica's 'bucket' or 'url'", ex);
		}
		if ("InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)
				|| "InvalidToken".equals(code) || "ExpiredToken".equals(code)) {
			return new S3ReplicaException(Reason.INVALID_CREDENTIALS, what + ": the store rejected the credentials"
					+ detail + ". Fix 'access-key-id'/'secret-access-key' (on the replica or under 'litestream'), "
					+ "LITESTREAM_ACCESS_KEY_ID/LITESTREAM_SECRET_ACCESS_KEY or AWS_ACCESS_KEY_ID/"
					+ "AWS_SECRET_ACCESS_KEY", ex);
		}
		if (status == 403) {
			return new S3ReplicaException(Reason.ACCESS_DENIED, what + ": access denied" + detail
					+ ". Allow these credentials s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on "
					+ "prefix '" + prefixOf(config) + "' in the IAM (or bucket) policy, or check "
					+ "'access-key-id'/'secret-access-key'", ex);
		}
		String message = (ex.awsErrorDetails() != null) ? ex.awsErrorDetails().errorMessage() : ex.getMessage();
		return new S3ReplicaException(Reason.OTHER, what + ": " + message + detail, ex);
	}

	private static String prefixOf(S3ReplicaConfig config) {
		return config.path().isEmpty() ? "*" : config.path() + "/*";
	}

	private static String endpointDescription(S3ReplicaConfig config) {
		return (config.endpoint() != null) ? "endpoint " + config.endpoint()
				: "AWS S3 in region " + ((config.region() != null) ? config.region() : "(discovered)");
	}

	private static boolean isUnreachable(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConnectException || cause instanceof UnknownHostException
					|| cause instanceof NoRouteToHostException || cause instanceof SocketTimeoutException
					|| cause instanceof SSLException || cause.getClass().getSimpleName().contains("Timeout")) {
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

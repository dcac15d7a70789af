package io.github.litestream.replica.sftp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;

import io.github.litestream.replica.ReplicaObjectNotFoundException;
import io.github.litestream.replica.sftp.SftpReplicaException.Reason;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.session.helpers.MissingAttachedSessionException;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.jspecify.annotations.Nullable;

/**
 * Turns SSH and SFTP failures into {@link IOException}s that say what to fix. Messages are
 * built from the replica's location, the remote path, the user, the key file's name and the
 * server's own status text, never from the password or the key's contents.
 */
final class SftpErrors {

	private SftpErrors() {
	}

	/**
	 * Translates a failure to connect or log in.
	 * @param ex what MINA SSHD threw
	 * @param config the replica
	 * @param rejection the host key the check rejected, or {@code null}
	 * @param knownHostsExists whether the known hosts file exists
	 * @return the exception to throw
	 */
	static IOException connectFailure(IOException ex, SftpReplicaConfig config, HostKeyCheck.@Nullable Rejection rejection,
			boolean knownHostsExists) {
		String what = "Cannot connect to SFTP replica " + config.location();
		if (ex instanceof SftpReplicaException known) {
			return known;
		}
		if (rejection != null) {
			return hostKeyRejected(what, config, rejection, knownHostsExists, ex);
		}
		if (isUnreachable(ex)) {
			return new SftpReplicaException(Reason.UNREACHABLE, what + ": cannot reach " + config.hostAndPort() + " ("
					+ rootMessage(ex) + "). Check the replica's 'host' (host or host:port), and that the SSH server "
					+ "is running and reachable from here", ex);
		}
		if (ex instanceof SshException && String.valueOf(ex.getMessage()).contains("authentication")) {
			String with = (config.password() != null ? "the configured 'password'" : "")
					+ (config.password() != null && config.keyPath() != null ? " and " : "")
					+ (config.keyPath() != null ? "the key in 'key-path' " + config.keyPath() : "");
			return new SftpReplicaException(Reason.AUTHENTICATION_FAILED, what + ": the server rejected user '"
					+ config.user() + "' with " + with + ". Fix the replica's 'user', 'password' or 'key-path' "
					+ "(or the server's authorized_keys)", ex);
		}
		if (isClosedWhileConnecting(ex)) {
			return new SftpReplicaException(Reason.UNREACHABLE, what + ": " + config.hostAndPort()
					+ " closed the connection before the login (" + rootMessage(ex) + "); a server that limits "
					+ "new connections (sshd's MaxStartups) does that under load", ex);
		}
		return new SftpReplicaException(Reason.OTHER, what + ": " + rootMessage(ex), ex);
	}

	/**
	 * Whether the server closed the connection during the handshake: transient, unlike a key
	 * exchange that found no common algorithm (also an {@link SshException}, not closed).
	 */
	private static boolean isClosedWhileConnecting(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
			// MINA's MissingAttachedSessionException: the server closed before a session began.
			if (cause instanceof EOFException || cause instanceof SocketException
					|| cause instanceof ClosedChannelException || cause instanceof MissingAttachedSessionException
					|| (cause instanceof SshException && message.contains("closed"))
					|| message.contains("broken pipe") || message.contains("connection reset")) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Translates a failed request on an open connection.
	 * @param ex the exception
	 * @param action what was being done, such as "list WAL segments"
	 * @param config the replica
	 * @param path the remote path involved
	 * @return the exception to throw
	 */
	static IOException requestFailure(IOException ex, String action, SftpReplicaConfig config, String path) {
		if (ex instanceof SftpReplicaException || ex instanceof ReplicaObjectNotFoundException) {
			return ex;
		}
		String what = "Cannot " + action + " in SFTP replica " + config.location() + " (remote path '" + path + "')";
		if (ex instanceof SftpException sftp) {
			int status = sftp.getStatus();
			String detail = " [" + SftpConstants.getStatusName(status) + ": " + sftp.getMessage() + "]";
			if (status == SftpConstants.SSH_FX_NO_SUCH_FILE) {
				return new ReplicaObjectNotFoundException(
						"No object '" + path + "' in SFTP replica " + config.location() + detail);
			}
			if (status == SftpConstants.SSH_FX_PERMISSION_DENIED) {
				return new SftpReplicaException(Reason.PERMISSION_DENIED, what + ": permission denied" + detail
						+ ". Give user '" + config.user() + "' read and write access to '" + pathOf(config)
						+ "' on the server, or set the replica's 'path' to a directory it may write", ex);
			}
			if (status == SftpConstants.SSH_FX_NO_CONNECTION || status == SftpConstants.SSH_FX_CONNECTION_LOST) {
				return lost(what, config, ex);
			}
			return new SftpReplicaException(Reason.OTHER, what + detail, ex);
		}
		if (isUnreachable(ex) || isConnectionLost(ex)) {
			return lost(what, config, ex);
		}
		return new SftpReplicaException(Reason.OTHER, what + ": " + rootMessage(ex), ex);
	}

	/**
	 * Whether a translated failure may pass when the request is made again on a new connection.
	 * @param ex a translated exception
	 * @return {@code true} for broken or unreachable connections
	 */
	static boolean isTransient(IOException ex) {
		return ex instanceof SftpReplicaException sftp && sftp.reason() == Reason.UNREACHABLE;
	}

	/**
	 * Whether an untranslated exception says that the server had no such file.
	 * @param ex the exception
	 * @return {@code true} for SFTP's "no such file"
	 */
	static boolean isNoSuchFile(IOException ex) {
		return ex instanceof SftpException sftp && sftp.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE;
	}

	private static IOException hostKeyRejected(String what, SftpReplicaConfig config, HostKeyCheck.Rejection rejection,
			boolean knownHostsExists, IOException cause) {
		String key = rejection.key().getAlgorithm() + " key " + rejection.fingerprint();
		String trustIt = ". If that is the server's key (compare with `ssh-keygen -lf` on the server), set the "
				+ "replica's 'host-key' to '" + rejection.keyLine() + "', or add it to the known hosts file ("
				+ "`ssh-keyscan -p " + config.port() + " " + config.host() + " >> " + config.hostKeys().knownHosts()
				+ "`), or point 'known-hosts-path' at a file that has it; 'skip-host-key-check: true' turns the "
				+ "check off, as Litestream v0.3.14 does";
		if (config.hostKeys().pinnedKey() != null) {
			return new SftpReplicaException(Reason.HOST_KEY_REJECTED, what + ": the server's host key (" + key
					+ ") is not the one pinned in the replica's 'host-key'. Someone may be intercepting the "
					+ "connection; if the server's key really changed, update 'host-key' to '" + rejection.keyLine()
					+ "'", cause);
		}
		if (rejection.changed()) {
			return new SftpReplicaException(Reason.HOST_KEY_REJECTED, what + ": the server's host key (" + key
					+ ") differs from the one for " + config.hostAndPort() + " in "
					+ config.hostKeys().knownHosts() + " ('known-hosts-path'). Someone may be intercepting the "
					+ "connection; if the server's key really changed, replace its line there", cause);
		}
		String where = knownHostsExists ? "is not in " + config.hostKeys().knownHosts()
				: "is unknown: the known hosts file " + config.hostKeys().knownHosts() + " does not exist";
		return new SftpReplicaException(Reason.HOST_KEY_REJECTED, what + ": the server's host key (" + key + ") "
				+ where + " ('known-hosts-path')" + trustIt, cause);
	}

	private static IOException lost(String what, SftpReplicaConfig config, IOException ex) {
		return new SftpReplicaException(Reason.UNREACHABLE, what + ": the connection to " + config.hostAndPort()
				+ " failed (" + rootMessage(ex) + "). Check that the SSH server is running and reachable", ex);
	}

	private static String pathOf(SftpReplicaConfig config) {
		return config.path().isEmpty() ? "(the login directory)" : config.path();
	}

	private static boolean isUnreachable(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConnectException || cause instanceof UnknownHostException
					|| cause instanceof NoRouteToHostException || cause instanceof InterruptedIOException
					|| cause.getClass().getSimpleName().contains("Timeout")) {
				return true;
			}
		}
		return false;
	}

	private static boolean isConnectionLost(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			// MINA's MissingAttachedSessionException: the server closed before a session began.
			if (cause instanceof EOFException || cause instanceof SocketException
					|| cause instanceof ClosedChannelException || cause instanceof MissingAttachedSessionException || cause instanceof SshException) {
				return true;
			}
		}
		return false;
	}

	static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName() + ((root.getMessage() != null) ? ": " + root.getMessage() : "");
	}

}

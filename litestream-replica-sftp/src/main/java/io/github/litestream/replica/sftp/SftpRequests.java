package io.github.litestream.replica.sftp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

import org.apache.sshd.sftp.client.SftpClient;

/**
 * Runs SFTP requests on a channel of the {@link SftpConnection}, translating failures with
 * {@link SftpErrors}. A request that can be repeated is tried again after a broken or refused
 * connection, on a new session, with exponential backoff and jitter; one that consumed the
 * caller's data (an upload that began to read its input) is not, and its failure is left to the
 * replica's next sync.
 * Logins refused, unknown host keys and missing permissions are never retried.
 */
final class SftpRequests {

	/** Attempts of a repeatable request, the first included. */
	static final int ATTEMPTS = 4;

	private final SftpConnection connection;

	private final Duration firstBackoff;

	SftpRequests(SftpConnection connection, Duration firstBackoff) {
		this.connection = connection;
		this.firstBackoff = firstBackoff;
	}

	/**
	 * Runs a request that may be repeated.
	 * @param <T> its result
	 * @param action what it does, for messages, such as "list snapshots"
	 * @param path the remote path it touches, for messages
	 * @param call the request
	 * @return its result
	 * @throws IOException the last failure, translated
	 */
	<T> T retrying(String action, String path, Call<T> call) throws IOException {
		return retrying(action, path, call, () -> true);
	}

	/**
	 * Runs a request that may be repeated while a condition holds, such as an upload that has
	 * not read any of the caller's data yet.
	 * @param <T> its result
	 * @param action what it does, for messages
	 * @param path the remote path it touches, for messages
	 * @param call the request
	 * @param repeatable asked after a failure whether the request may run again
	 * @return its result
	 * @throws IOException the last failure, translated
	 */
	<T> T retrying(String action, String path, Call<T> call, BooleanSupplier repeatable) throws IOException {
		for (int attempt = 1;; attempt++) {
			try {
				return once(action, path, call);
			}
			catch (IOException ex) {
				if (!SftpErrors.isTransient(ex) || attempt >= ATTEMPTS || !repeatable.getAsBoolean()) {
					throw ex;
				}
				backOff(attempt);
			}
		}
	}

	/**
	 * Runs a request once.
	 * @param <T> its result
	 * @param action what it does, for messages
	 * @param path the remote path it touches
	 * @param call the request
	 * @return its result
	 * @throws IOException the failure, translated
	 */
	<T> T once(String action, String path, Call<T> call) throws IOException {
		SftpConnection.Channel channel;
		try {
			channel = this.connection.channel();
		}
		catch (IOException ex) {
			throw SftpErrors.requestFailure(ex, action, this.connection.config(), path);
		}
		try {
			T result = call.run(channel.sftp());
			channel.close();
			return result;
		}
		catch (IOException ex) {
			IOException translated = SftpErrors.requestFailure(ex, action, this.connection.config(), path);
			if (SftpErrors.isTransient(translated)) {
				channel.broken();
			}
			channel.close();
			throw translated;
		}
		catch (RuntimeException | Error ex) {
			channel.close();
			throw ex;
		}
	}

	/**
	 * Runs a repeatable request whose result keeps its channel (a download stream); the result
	 * hands the channel back when it is closed.
	 * @param <T> its result
	 * @param action what it does, for messages
	 * @param path the remote path, for messages
	 * @param call the request
	 * @return its result
	 * @throws IOException the last failure, translated
	 */
	<T> T retryingHeld(String action, String path, HeldCall<T> call) throws IOException {
		for (int attempt = 1;; attempt++) {
			SftpConnection.Channel channel = null;
			try {
				channel = this.connection.channel();
				return call.run(channel);
			}
			catch (RuntimeException ex) {
				if (channel != null) {
					channel.close();
				}
				throw ex;
			}
			catch (IOException ex) {
				IOException translated = SftpErrors.requestFailure(ex, action, this.connection.config(), path);
				if (channel != null) {
					if (SftpErrors.isTransient(translated)) {
						channel.broken();
					}
					channel.close();
				}
				if (!SftpErrors.isTransient(translated) || attempt >= ATTEMPTS) {
					throw translated;
				}
				backOff(attempt);
			}
		}
	}

	private void backOff(int attempt) throws InterruptedIOException {
		long base = this.firstBackoff.toMillis() << (attempt - 1);
		long millis = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while waiting to retry SFTP replica "
					+ this.connection.config().location());
		}
	}

	/**
	 * One request on an SFTP channel.
	 * @param <T> its result
	 */
	@FunctionalInterface
	interface Call<T> {

		T run(SftpClient sftp) throws IOException;

	}

	/**
	 * One request whose result keeps the channel.
	 * @param <T> its result
	 */
	@FunctionalInterface
	interface HeldCall<T> {

		T run(SftpConnection.Channel channel) throws IOException;

	}

}

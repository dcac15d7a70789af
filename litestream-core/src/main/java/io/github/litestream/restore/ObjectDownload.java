package io.github.litestream.restore;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

import io.github.litestream.age.AgeException;
import io.github.litestream.replica.ReplicaObjectNotFoundException;

/**
 * Tells a replica object that is damaged from one that could not be downloaded. A restore
 * falls back to an earlier point only for the first: a connection reset, a timeout or an
 * unreachable store says nothing about the object, and restoring less than the replica holds
 * because of one would silently lose the newest commits.
 */
final class ObjectDownload {

	private ObjectDownload() {
	}

	/**
	 * Wraps the stream a replica client returned, so that a failure of the stream itself (not of
	 * what decodes it) is marked as a download failure.
	 * @param in the client's stream (already decrypting, for an encrypted replica)
	 * @return the marked stream
	 */
	static InputStream marked(InputStream in) {
		return new FilterInputStream(in) {

			@Override
			public int read() throws IOException {
				try {
					return super.read();
				}
				catch (IOException ex) {
					throw failed(ex);
				}
				catch (RuntimeException ex) {
					throw failed(ex);
				}
			}

			@Override
			public int read(byte[] buffer, int offset, int length) throws IOException {
				try {
					return super.read(buffer, offset, length);
				}
				catch (IOException ex) {
					throw failed(ex);
				}
				catch (RuntimeException ex) {
					throw failed(ex);
				}
			}

			@Override
			public byte[] readAllBytes() throws IOException {
				// The client's own: an age stream sizes its array once and copies once.
				try {
					return this.in.readAllBytes();
				}
				catch (IOException ex) {
					throw failed(ex);
				}
				catch (RuntimeException ex) {
					throw failed(ex);
				}
			}

		};
	}

	/**
	 * Whether a failure to read an object is a failure to download it, not damage: not a missing
	 * object, and not a decoding error (LZ4 or age), but an error of the client's stream or of
	 * opening it.
	 * @param ex the failure
	 * @return {@code true} for a download failure
	 */
	static boolean failedToDownload(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof DownloadFailure) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Opens an object, marking a failure to open it other than its absence as a download failure.
	 * @param open opens the object
	 * @return the marked stream
	 * @throws IOException the failure
	 */
	static InputStream open(Opener open) throws IOException {
		InputStream in;
		try {
			in = open.open();
		}
		catch (ReplicaObjectNotFoundException | AgeException ex) {
			throw ex;
		}
		catch (IOException ex) {
			throw failed(ex);
		}
		catch (RuntimeException ex) {
			throw failed(ex);
		}
		return marked(in);
	}

	/**
	 * An unchecked failure of a client (some SDKs throw {@link java.io.UncheckedIOException} for a
	 * connection reset): a download failure too, never damage, so that it fails the restore
	 * rather than make a fall-back restore less.
	 */
	static IOException failed(RuntimeException ex) {
		return (ex.getCause() instanceof IOException io) ? failed(io)
				: new DownloadFailure(new IOException(ex.toString(), ex));
	}

	static IOException failed(IOException ex) {
		// Decryption errors come through the client's stream but are about the object; an
		// interrupt is the caller's.
		return (ex instanceof AgeException || ex instanceof DownloadFailure || ex instanceof InterruptedIOException) ? ex
				: new DownloadFailure(ex);
	}

	/** Opens a replica object. */
	@FunctionalInterface
	interface Opener {

		InputStream open() throws IOException;

	}

	/** A replica object that could not be downloaded. */
	static final class DownloadFailure extends IOException {

		DownloadFailure(IOException cause) {
			super(cause.getMessage(), cause);
		}

	}

}

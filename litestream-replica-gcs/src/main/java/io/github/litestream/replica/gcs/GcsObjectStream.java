package io.github.litestream.replica.gcs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;

import com.google.cloud.BaseServiceException;
import io.github.litestream.replica.ReplicaObjectNotFoundException;

/**
 * The bytes of one generation of an object, which the client's {@code ReadChannel} fetches in
 * ranges as they are read: a range the service no longer has (HTTP 404, the object was deleted
 * or replaced since its metadata was read) fails as a missing object
 * ({@link ReplicaObjectNotFoundException}), not as a broken download. The first range is fetched
 * when the stream is opened, so that a read that cannot start fails where other clients fail
 * for a missing object: in {@code open}.
 */
final class GcsObjectStream extends FilterInputStream {

	private final Translator translator;

	private GcsObjectStream(InputStream in, Translator translator) {
		super(in);
		this.translator = translator;
	}

	/**
	 * Opens the stream and fetches its first range.
	 * @param channel the client's stream of the object's generation
	 * @param translator turns a failed request into the exception to throw
	 * @return the stream, its first range fetched
	 * @throws IOException if the first range cannot be fetched
	 */
	static InputStream open(InputStream channel, Translator translator) throws IOException {
		PushbackInputStream opened = new PushbackInputStream(new GcsObjectStream(channel, translator), 1);
		try {
			int first = opened.read();
			if (first >= 0) {
				opened.unread(first);
			}
		}
		catch (IOException ex) {
			opened.close();
			throw ex;
		}
		return opened;
	}

	@Override
	public int read() throws IOException {
		try {
			return super.read();
		}
		catch (IOException | RuntimeException ex) {
			throw mapped(ex);
		}
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		try {
			return super.read(buffer, offset, length);
		}
		catch (IOException | RuntimeException ex) {
			throw mapped(ex);
		}
	}

	private IOException mapped(Exception ex) {
		// The channel wraps the client's exception in an IOException.
		Throwable cause = (ex instanceof IOException) ? ex.getCause() : ex;
		if (cause instanceof BaseServiceException service && service.getCode() == 404) {
			return this.translator.translate(service);
		}
		return (ex instanceof IOException io) ? io : this.translator.translate((RuntimeException) ex);
	}

	/** Turns a failed request into the exception to throw. */
	@FunctionalInterface
	interface Translator {

		IOException translate(RuntimeException ex);

	}

}

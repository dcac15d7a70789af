package io.github.litestream.replica.sftp;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import io.github.litestream.replica.ReplicaOperation;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * A download's stream: holds its channel until closed, then reports the bytes read.
 */
final class SftpDownload extends FilterInputStream {

	private final SftpConnection.Channel channel;

	private final String path;

	private final SftpReplicaConfig config;

	private final ReplicaOperationListener listener;

	private long bytes;

	private boolean closed;

	SftpDownload(InputStream in, SftpConnection.Channel channel, String path, SftpReplicaConfig config,
			ReplicaOperationListener listener) {
		super(in);
		this.channel = channel;
		this.path = path;
		this.config = config;
		this.listener = listener;
	}

	@Override
	public int read() throws IOException {
		int b = translated(() -> super.read());
		this.bytes += (b >= 0) ? 1 : 0;
		return b;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		int n = translated(() -> super.read(buffer, offset, length));
		this.bytes += Math.max(n, 0);
		return n;
	}

	@Override
	public void close() throws IOException {
		if (this.closed) {
			return;
		}
		this.closed = true;
		try {
			super.close();
		}
		catch (IOException ex) {
			// The object was read (or the read already failed); a failed close changes nothing.
		}
		finally {
			this.channel.close();
			this.listener.onOperation(ReplicaOperation.GET, this.bytes);
		}
	}

	private int translated(ReadCall call) throws IOException {
		try {
			return call.read();
		}
		catch (IOException ex) {
			IOException translated = SftpErrors.requestFailure(ex, "read object", this.config, this.path);
			if (SftpErrors.isTransient(translated)) {
				this.channel.broken();
			}
			throw translated;
		}
	}


	@FunctionalInterface
	private interface ReadCall {

		int read() throws IOException;

	}

}

package io.github.litestream.replica.sftp;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.SplittableRandom;

import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Child process for the bounded-memory test: uploads a snapshot several times larger than its
 * heap over SFTP, then downloads it and checks every byte, under whatever -Xmx the parent chose.
 * <p>Arguments: {@code sftp://user@host:port/path}, known hosts file, size in MiB; the password
 * in {@code LITESTREAM_SFTP_PASSWORD}. Prints {@code ok <bytes>} when the bytes matched.
 */
public final class SftpStreamingInSmallHeap {

	private SftpStreamingInSmallHeap() {
	}

	public static void main(String[] args) throws Exception {
		SftpReplicaConfig config = SftpReplicaConfig.builder()
			.url(args[0])
			.password(System.getenv("LITESTREAM_SFTP_PASSWORD"))
			.hostKeys(new HostKeyPolicy(Path.of(args[1]), null, false))
			.build();
		long size = Long.parseLong(args[2]) << 20;
		try (SftpReplicaClient client = SftpReplicaClient.open(config, ReplicaOperationListener.NONE)) {
			client.writeSnapshot("0123456789abcdef", 1, new Generated(size));
			try (InputStream in = client.openSnapshot("0123456789abcdef", 1)) {
				Generated expected = new Generated(size);
				byte[] buffer = new byte[8192];
				long total = 0;
				for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
					for (int i = 0; i < n; i++) {
						if (buffer[i] != (byte) expected.read()) {
							throw new IllegalStateException("byte " + (total + i) + " differs");
						}
					}
					total += n;
				}
				if (total != size || expected.read() != -1) {
					throw new IllegalStateException("read " + total + " of " + size + " bytes");
				}
				System.out.println("ok " + total);
			}
		}
	}

	/** Pseudo-random bytes, the same for the same length, without holding them. */
	private static final class Generated extends InputStream {

		private final SplittableRandom random = new SplittableRandom(17);

		private long left;

		Generated(long size) {
			this.left = size;
		}

		@Override
		public int read() {
			if (this.left <= 0) {
				return -1;
			}
			this.left--;
			return this.random.nextInt(256);
		}

		@Override
		public int read(byte[] buffer, int offset, int length) {
			if (this.left <= 0) {
				return -1;
			}
			int n = (int) Math.min(length, this.left);
			for (int i = 0; i < n; i++) {
				buffer[offset + i] = (byte) read();
			}
			return n;
		}

	}

}

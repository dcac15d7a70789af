package io.github.litestream.replica;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.List;

import io.github.litestream.age.Age;
import io.github.litestream.age.AgeException;
import io.github.litestream.age.AgeIdentity;
import io.github.litestream.age.AgeKeyring;
import io.github.litestream.age.AgeRecipient;

/**
 * Encrypts every snapshot and WAL segment with age on its way into another
 * {@link ReplicaClient}, and decrypts on the way out, as Litestream v0.3.10+ does with
 * {@code age.recipients} and {@code age.identities}: each object is an age v1 file (one X25519
 * stanza per recipient) whose plaintext is the LZ4 frame. Listings, deletions and object
 * sizes pass through, so sizes are those of the encrypted objects; so do the conditional
 * writes, unencrypted: they hold a lease, which names the writing instance and no data.
 *
 * <p>A decryption failure names the object and the replica; one where no identity matched has
 * {@link AgeException.Kind#NO_MATCH}, which tells a key problem from a damaged object. Objects
 * that are not age files (written before encryption was turned on) are read as they are.
 */
public final class AgeReplicaClient extends ForwardingReplicaClient {

	private final List<AgeRecipient> recipients;

	private final AgeKeyring keyring;

	/**
	 * Wraps a client.
	 * @param delegate where the encrypted objects are stored
	 * @param recipients the public keys every new object is encrypted to; may be empty, and then
	 * objects can be read but not written (a restore tool given identities only)
	 * @param identities the secret keys tried, in order, to decrypt an object; may be empty,
	 * and then objects can be written but not read
	 */
	public AgeReplicaClient(ReplicaClient delegate, List<AgeRecipient> recipients, List<AgeIdentity> identities) {
		super(delegate);
		if (recipients.isEmpty() && identities.isEmpty()) {
			throw new IllegalArgumentException("An encrypted replica needs an age recipient or identity");
		}
		this.recipients = List.copyOf(recipients);
		this.keyring = new AgeKeyring(identities);
	}

	@Override
	public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
		requireRecipients();
		return delegate().writeSnapshot(generation, index, Age.encrypting(new Unclosed(lz4), this.recipients));
	}

	@Override
	public InputStream openSnapshot(String generation, long index) throws IOException {
		// A snapshot is one large stream: its chunks are decrypted on several threads.
		return decrypting(delegate().openSnapshot(generation, index), ReplicaLayout.snapshotKey(generation, index),
				true);
	}

	@Override
	public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
		requireRecipients();
		return delegate().writeWalSegment(pos, Age.encrypting(new Unclosed(lz4), this.recipients));
	}

	/** Never stores an object unencrypted: a client with identities only reads. */
	private void requireRecipients() throws IOException {
		if (this.recipients.isEmpty()) {
			throw new IOException("Replica " + location() + " has age identities but no recipient: it can be read, "
					+ "not written; add the public key of each identity to its age recipients");
		}
	}

	@Override
	public InputStream openWalSegment(Pos pos) throws IOException {
		InputStream stored = delegate().openWalSegment(pos);
		if (stored instanceof ObjectInMemory whole) {
			// Already read whole (a file replica's small objects): decrypted in one pass, from
			// the array it was read into to the one the caller reads whole.
			return decryptedWhole(whole, ReplicaLayout.walSegmentKey(pos));
		}
		// WAL segments are small, and a restore already reads several at once.
		return decrypting(stored, ReplicaLayout.walSegmentKey(pos), false);
	}

	/**
	 * The recipients new objects are encrypted to.
	 * @return the recipients
	 */
	public List<AgeRecipient> recipients() {
		return this.recipients;
	}

	/**
	 * The number of identities objects can be decrypted with (the identities themselves are
	 * not exposed).
	 * @return how many are configured
	 */
	public int identityCount() {
		return this.keyring.size();
	}

	private InputStream decryptedWhole(ObjectInMemory stored, String key) throws IOException {
		byte[] content = stored.readAllBytes();
		if (!Age.isAgeFile(content)) {
			// Written before encryption was turned on, as in decrypting(...).
			return new ObjectInMemory(content);
		}
		try {
			return new ObjectInMemory(this.keyring.decrypt(content));
		}
		catch (AgeException ex) {
			throw ex.in(context(key));
		}
	}

	private String context(String key) {
		return "Cannot decrypt " + key + " in " + location();
	}

	private InputStream decrypting(InputStream stored, String key, boolean inParallel) throws IOException {
		String context = context(key);
		try {
			PushbackInputStream in = new PushbackInputStream(stored, Age.magicLength());
			byte[] prefix = in.readNBytes(Age.magicLength());
			in.unread(prefix);
			if (!Age.isAgeFile(prefix)) {
				// Written before encryption was turned on: still the replica's history. Reading it
				// weakens nothing, since age does not authenticate senders (anyone with a
				// recipient's public key can write an object), and the LZ4 checksums still apply.
				return in;
			}
			InputStream plaintext = inParallel ? this.keyring.decryptingInParallel(in) : this.keyring.decrypting(in);
			return new InContext(plaintext, context);
		}
		catch (AgeException ex) {
			stored.close();
			throw ex.in(context);
		}
		catch (IOException | RuntimeException ex) {
			stored.close();
			throw ex;
		}
	}

	/** Keeps the caller's stream open: the client contract says writes read it but don't close it. */
	private static final class Unclosed extends FilterInputStream {

		Unclosed(InputStream in) {
			super(in);
		}

		@Override
		public void close() {
		}

	}

	/** Names the object in a payload error that surfaces while reading. */
	private static final class InContext extends FilterInputStream {

		private final String context;

		InContext(InputStream in, String context) {
			super(in);
			this.context = context;
		}

		@Override
		public int read() throws IOException {
			try {
				return super.read();
			}
			catch (AgeException ex) {
				throw ex.in(this.context);
			}
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			try {
				return super.read(b, off, len);
			}
			catch (AgeException ex) {
				throw ex.in(this.context);
			}
		}

		@Override
		public byte[] readAllBytes() throws IOException {
			try {
				return this.in.readAllBytes();
			}
			catch (AgeException ex) {
				throw ex.in(this.context);
			}
		}

	}

}

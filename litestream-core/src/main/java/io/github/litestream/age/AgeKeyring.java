package io.github.litestream.age;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The identities a reader of age files holds, and the decryption of files with them. Each
 * file needs one X25519 key agreement per (stanza, identity) pair tried, the costliest step
 * of opening a small file, so the pair that matched last is tried first: a replica's objects
 * are mostly written by one writer to the same recipients in the same order. That is the only
 * thing remembered between files; every file's key is unwrapped from its own header and
 * forgotten. Safe for concurrent use.
 */
public final class AgeKeyring {

	/** Most chunks one stream reads ahead for its helpers (two 64 KiB buffers each). */
	private static final int MAX_WINDOW_CHUNKS = 16;

	private final List<AgeIdentity> identities;

	private volatile @Nullable Match lastMatch;

	/**
	 * A keyring.
	 * @param identities tried in order (after the one that matched last); may be empty, then
	 * every file fails with {@link AgeException.Kind#NO_MATCH}
	 */
	public AgeKeyring(List<AgeIdentity> identities) {
		this.identities = List.copyOf(identities);
	}

	/**
	 * How many identities it holds.
	 * @return the number of identities
	 */
	public int size() {
		return this.identities.size();
	}

	/**
	 * Reads an age file's header, unwraps its file key with an identity that matches a stanza
	 * and checks the header's MAC, then returns a stream of the plaintext, decrypted chunk by
	 * chunk on the reading thread. Payload errors surface while reading. Closing it closes
	 * {@code ciphertext}.
	 * @param ciphertext the age file
	 * @return the plaintext
	 * @throws AgeException if the header is not valid, no identity matches, or the MAC does
	 * not; the message names the recipients tried, never a secret
	 * @throws IOException if {@code ciphertext} cannot be read
	 */
	public InputStream decrypting(InputStream ciphertext) throws IOException {
		return decrypting(ciphertext, false);
	}

	/**
	 * As {@link #decrypting(InputStream)}, but the payload's chunks are also decrypted ahead,
	 * in parallel, by the JVM's shared decryption threads (one fewer than the processors),
	 * and released in order with the same checks: for large files, which one thread would
	 * otherwise decrypt alone. Memory stays bounded (a window of at most 16 chunks of 64 KiB).
	 * @param ciphertext the age file
	 * @return the plaintext
	 * @throws AgeException as {@link #decrypting(InputStream)}
	 * @throws IOException if {@code ciphertext} cannot be read
	 */
	public InputStream decryptingInParallel(InputStream ciphertext) throws IOException {
		return decrypting(ciphertext, true);
	}

	/**
	 * Decrypts a whole age file held in memory, in one pass: each payload chunk goes from the
	 * file's array straight into the plaintext's, without the stream's chunk buffers and copies.
	 * The checks and errors are those of {@link #decrypting(InputStream)} read whole; no
	 * plaintext is returned unless all of it is authentic.
	 * @param file the age file
	 * @return the plaintext
	 * @throws AgeException if the header is not valid, no identity matches, the MAC does not,
	 * or the payload is damaged; the message names the recipients tried, never a secret
	 * @throws IOException if the JVM's cipher failed
	 */
	public byte[] decrypt(byte[] file) throws IOException {
		ByteArrayInputStream in = new ByteArrayInputStream(file);
		AgeHeader header = AgeHeader.read(in);
		byte[] fileKey = verifiedFileKey(header);
		try {
			int nonceStart = file.length - in.available();
			if (in.available() < PayloadStream.NONCE_SIZE) {
				throw AgeDecryptingInputStream.missingNonce();
			}
			PayloadStream stream = new PayloadStream(fileKey,
					Arrays.copyOfRange(file, nonceStart, nonceStart + PayloadStream.NONCE_SIZE));
			return WholePayload.open(stream, file, nonceStart + PayloadStream.NONCE_SIZE);
		}
		finally {
			Primitives.wipe(fileKey);
		}
	}

	private InputStream decrypting(InputStream ciphertext, boolean parallel) throws IOException {
		InputStream in = new BufferedInputStream(ciphertext, 512);
		byte[] fileKey = verifiedFileKey(AgeHeader.read(in));
		try {
			if (!parallel) {
				return new AgeDecryptingInputStream(in, fileKey, null, 1);
			}
			int window = Math.min(MAX_WINDOW_CHUNKS, 2 * (DecryptionThreads.count() + 1));
			return new AgeDecryptingInputStream(in, fileKey, DecryptionThreads.executor(), window);
		}
		finally {
			Primitives.wipe(fileKey);
		}
	}

	/** The file key, unwrapped by an identity and checked with the header's MAC; the caller wipes it. */
	private byte[] verifiedFileKey(AgeHeader header) throws AgeException {
		byte[] fileKey = fileKey(header)
			.orElseThrow(() -> new AgeException(AgeException.Kind.NO_MATCH, "No age identity matched any of the file's "
					+ header.stanzas().size() + " recipient stanza(s); tried " + describe()));
		try {
			header.verifyMac(fileKey);
			return fileKey;
		}
		catch (AgeException ex) {
			Primitives.wipe(fileKey);
			throw ex;
		}
	}

	private Optional<byte[]> fileKey(AgeHeader header) throws AgeException {
		List<Stanza> stanzas = header.stanzas();
		if (stanzas.size() > 1 && stanzas.stream().anyMatch((stanza) -> stanza.type().equals("scrypt"))) {
			throw new AgeException(AgeException.Kind.HEADER,
					"Not a valid age header: a passphrase (scrypt) stanza must be the only stanza");
		}
		for (Stanza stanza : stanzas) {
			if (stanza.type().equals(AgeRecipient.STANZA_TYPE)) {
				AgeIdentity.share(stanza);
			}
		}
		Match last = this.lastMatch;
		if (last != null && last.stanza() < stanzas.size()) {
			try {
				Optional<byte[]> fileKey = last.identity().unwrap(stanzas.get(last.stanza()));
				if (fileKey.isPresent()) {
					return fileKey;
				}
			}
			catch (AgeException ex) {
				// A malformed stanza fails in its turn below, as it would without the shortcut. (The
				// pair is tried again there: that costs one agreement only when the keys changed.)
			}
		}
		for (int s = 0; s < stanzas.size(); s++) {
			for (AgeIdentity identity : this.identities) {
				Optional<byte[]> fileKey = identity.unwrap(stanzas.get(s));
				if (fileKey.isPresent()) {
					this.lastMatch = new Match(identity, s);
					return fileKey;
				}
			}
		}
		return Optional.empty();
	}

	private String describe() {
		if (this.identities.isEmpty()) {
			return "no identity (none is configured)";
		}
		return this.identities.size() + " identit" + ((this.identities.size() == 1) ? "y" : "ies") + " of recipient(s) "
				+ String.join(", ", this.identities.stream().map((identity) -> identity.recipient().toString()).toList());
	}

	/**
	 * Names the keyring by its public recipients only.
	 * @return {@code AgeKeyring[recipients=age1…, …]}
	 */
	@Override
	public String toString() {
		return "AgeKeyring[recipients="
				+ String.join(", ", this.identities.stream().map((identity) -> identity.recipient().toString()).toList())
				+ "]";
	}

	/** Which identity unwrapped which stanza (by position) of the last file. */
	private record Match(AgeIdentity identity, int stanza) {
	}

}

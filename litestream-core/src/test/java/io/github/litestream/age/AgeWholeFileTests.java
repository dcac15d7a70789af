package io.github.litestream.age;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Whole files read at once ({@code readAllBytes}, or decrypted in memory in one pass, as a
 * restore reads WAL segments) and the chunk buffers that one file hands on to the next on the
 * same thread: the plaintext is the original whatever the source says is left, damage fails as
 * it does when read piecewise, and files read one after another or interleaved on one thread
 * never see each other's bytes.
 */
class AgeWholeFileTests {

	private static final int CHUNK = PayloadStream.CHUNK_SIZE;

	private final AgeIdentity identity = AgeIdentity.generate();

	private final AgeKeyring keyring = new AgeKeyring(List.of(this.identity));

	@ParameterizedTest(name = "{0} bytes")
	@ValueSource(ints = { 0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5 })
	void readsTheWholePlaintextWhateverTheSourceSaysIsLeft(int size) throws IOException {
		byte[] plaintext = randomBytes(size, size);
		byte[] file = encrypt(plaintext);
		List<Function<byte[], InputStream>> sources = List.of(ByteArrayInputStream::new,
				(bytes) -> new Available(new ByteArrayInputStream(bytes), 0),
				(bytes) -> new Available(new ByteArrayInputStream(bytes), 10 * bytes.length + 1000));
		for (Function<byte[], InputStream> source : sources) {
			try (InputStream in = this.keyring.decrypting(source.apply(file))) {
				assertThat(in.readAllBytes()).isEqualTo(plaintext);
				assertThat(in.read()).isEqualTo(-1);
			}
			try (InputStream in = this.keyring.decryptingInParallel(source.apply(file))) {
				assertThat(in.readAllBytes()).isEqualTo(plaintext);
			}
		}
	}

	@Test
	void readsTheRestAfterPartialReads() throws IOException {
		byte[] plaintext = randomBytes(5 * CHUNK + 333, 1);
		byte[] file = encrypt(plaintext);
		for (boolean inParallel : new boolean[] { false, true }) {
			ByteArrayInputStream source = new ByteArrayInputStream(file);
			try (InputStream in = inParallel ? this.keyring.decryptingInParallel(source) : this.keyring.decrypting(source)) {
				byte[] head = in.readNBytes(CHUNK + 17);
				assertThat(head).isEqualTo(Arrays.copyOf(plaintext, CHUNK + 17));
				assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(plaintext, CHUNK + 17, plaintext.length));
			}
		}
	}

	@Test
	void theSpareBuffersKeepNothingOfTheLastFile() throws IOException {
		byte[] plaintext = randomBytes(CHUNK / 2, 9);
		Arrays.fill(plaintext, 0, 16, (byte) 0x5a);
		try (InputStream in = this.keyring.decrypting(new ByteArrayInputStream(encrypt(plaintext)))) {
			assertThat(in.readAllBytes()).isEqualTo(plaintext);
		}
		// The same thread's next file would take this set: no byte of the last plaintext is left.
		ChunkBuffers spare = ChunkBuffers.take();
		assertThat(spare.plain).containsOnly((byte) 0);
		spare.keepAsSpare();
	}

	@Test
	void aTruncatedOrExtendedFileFailsRatherThanGivingAShortResult() throws IOException {
		byte[] file = encrypt(randomBytes(3 * CHUNK + 5, 2));
		byte[] cutAtChunk = Arrays.copyOf(file, file.length - (5 + PayloadStream.TAG_SIZE));
		byte[] cutInside = Arrays.copyOf(file, file.length - 3);
		byte[] extended = Arrays.copyOf(file, file.length + 1);
		for (byte[] damaged : List.of(cutAtChunk, cutInside, extended)) {
			assertThatExceptionOfType(AgeException.class)
				.isThrownBy(() -> this.keyring.decrypting(new ByteArrayInputStream(damaged)).readAllBytes())
				.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(AgeException.Kind.PAYLOAD));
		}
	}

	@ParameterizedTest(name = "{0} bytes")
	@ValueSource(ints = { 0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 5 })
	void decryptsAFileHeldInMemoryInOnePass(int size) throws IOException {
		byte[] plaintext = randomBytes(size, size + 1);
		assertThat(this.keyring.decrypt(encrypt(plaintext))).isEqualTo(plaintext);
	}

	@Test
	void damageToAFileHeldInMemoryFailsAsWhenItIsStreamed() throws IOException {
		byte[] file = encrypt(randomBytes(3 * CHUNK + 5, 3));
		byte[] wholeChunks = encrypt(randomBytes(2 * CHUNK, 4));
		int payload = file.length - (3 * (CHUNK + PayloadStream.TAG_SIZE) + 5 + PayloadStream.TAG_SIZE);
		byte[] altered = file.clone();
		altered[payload + CHUNK + 100] ^= 1;
		Map<String, byte[]> damaged = new LinkedHashMap<>();
		damaged.put("cut at a chunk", Arrays.copyOf(file, file.length - (5 + PayloadStream.TAG_SIZE)));
		damaged.put("cut inside the last tag", Arrays.copyOf(file, file.length - 3));
		damaged.put("cut to a piece shorter than a tag", Arrays.copyOf(file, file.length - 10));
		damaged.put("extended", Arrays.copyOf(file, file.length + 1));
		damaged.put("a chunk altered", altered);
		damaged.put("whole chunks, cut at a chunk", Arrays.copyOf(wholeChunks, wholeChunks.length
				- (CHUNK + PayloadStream.TAG_SIZE)));
		damaged.put("whole chunks, extended", Arrays.copyOf(wholeChunks, wholeChunks.length + 40));
		damaged.put("no payload", Arrays.copyOf(file, payload));
		damaged.put("half a nonce", Arrays.copyOf(file, payload - PayloadStream.NONCE_SIZE / 2));
		damaged.put("the header only", Arrays.copyOf(file, payload - PayloadStream.NONCE_SIZE));
		for (Map.Entry<String, byte[]> damage : damaged.entrySet()) {
			AgeException streamed = catchThrowableOfType(AgeException.class,
					() -> this.keyring.decrypting(new ByteArrayInputStream(damage.getValue())).readAllBytes());
			assertThat(streamed).as(damage.getKey()).isNotNull();
			assertThatExceptionOfType(AgeException.class).as(damage.getKey())
				.isThrownBy(() -> this.keyring.decrypt(damage.getValue()))
				.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(streamed.kind()))
				.withMessage(streamed.getMessage());
		}
	}

	@Test
	void aFileHeldInMemoryForAnotherIdentityMatchesNone() throws IOException {
		byte[] file = encrypt(randomBytes(100, 5));
		AgeKeyring other = new AgeKeyring(List.of(AgeIdentity.generate()));
		assertThatExceptionOfType(AgeException.class).isThrownBy(() -> other.decrypt(file))
			.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(AgeException.Kind.NO_MATCH));
	}

	@Test
	void filesReadOneAfterAnotherOnAThreadEachGiveTheirOwnPlaintext() throws IOException {
		for (int i = 0; i < 50; i++) {
			byte[] plaintext = randomBytes(i * 4099 % (3 * CHUNK), i);
			try (InputStream in = this.keyring.decrypting(new ByteArrayInputStream(encrypt(plaintext)))) {
				assertThat(in.readAllBytes()).as("file %d", i).isEqualTo(plaintext);
			}
		}
	}

	@Test
	void interleavedFilesOnOneThreadNeverShareBuffers() throws IOException {
		byte[] a = randomBytes(3 * CHUNK, 10);
		byte[] b = randomBytes(3 * CHUNK, 11);
		byte[] c = randomBytes(3 * CHUNK, 12);
		InputStream inA = this.keyring.decrypting(new ByteArrayInputStream(encrypt(a)));
		InputStream inB = this.keyring.decrypting(new ByteArrayInputStream(encrypt(b)));
		assertThat(inA.readNBytes(100)).isEqualTo(Arrays.copyOf(a, 100));
		assertThat(inB.readNBytes(100)).isEqualTo(Arrays.copyOf(b, 100));
		// A's buffers become this thread's spare while B still reads from its own.
		inA.close();
		try (InputStream inC = this.keyring.decrypting(new ByteArrayInputStream(encrypt(c)))) {
			assertThat(inC.readNBytes(CHUNK + 1)).isEqualTo(Arrays.copyOf(c, CHUNK + 1));
			assertThat(inB.readAllBytes()).isEqualTo(Arrays.copyOfRange(b, 100, b.length));
			assertThat(inC.readAllBytes()).isEqualTo(Arrays.copyOfRange(c, CHUNK + 1, c.length));
		}
		inB.close();
	}

	@Test
	void buffersClosedOnAnotherThreadStayWithNoThread() throws Exception {
		byte[] plaintext = randomBytes(2 * CHUNK, 20);
		InputStream in = this.keyring.decrypting(new ByteArrayInputStream(encrypt(plaintext)));
		assertThat(in.readNBytes(10)).isEqualTo(Arrays.copyOf(plaintext, 10));
		ChunkBuffers closersSpare = CompletableFuture.supplyAsync(() -> {
			ChunkBuffers own = ChunkBuffers.take();
			own.keepAsSpare();
			try {
				in.close();
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
			return ChunkBuffers.take();
		}).get();
		// The closing thread still has its own spare, not the reader's buffers.
		assertThat(closersSpare).isNotNull();
		ChunkBuffers mine = ChunkBuffers.take();
		assertThat(mine).isNotSameAs(closersSpare);
	}

	@Test
	void aFileWhoseSourceFailsBeforeAnyChunkStillCloses() throws IOException {
		byte[] file = encrypt(randomBytes(2 * CHUNK, 30));
		InputStream failing = new FilterInputStream(new ByteArrayInputStream(file)) {
			private int read;

			@Override
			public int read(byte[] b, int off, int len) throws IOException {
				if (this.read > 300) {
					throw new IOException("connection reset");
				}
				int n = super.read(b, off, Math.min(len, 100));
				this.read += Math.max(n, 0);
				return n;
			}
		};
		for (int i = 0; i < 3; i++) {
			InputStream in = this.keyring.decrypting((i == 0) ? failing : new ByteArrayInputStream(Arrays.copyOf(file, 400)));
			assertThatExceptionOfType(IOException.class).isThrownBy(in::readAllBytes);
			in.close();
		}
	}

	@Test
	void aSpareIsTakenOnceAndOnlyOnItsThread() throws Exception {
		ChunkBuffers spare = ChunkBuffers.take();
		spare.keepAsSpare();
		assertThat(CompletableFuture.supplyAsync(ChunkBuffers::take).get()).isNotSameAs(spare);
		assertThat(ChunkBuffers.take()).isSameAs(spare);
		assertThat(ChunkBuffers.take()).isNotSameAs(spare);
	}

	private byte[] encrypt(byte[] plaintext) throws IOException {
		try (InputStream in = Age.encrypting(new ByteArrayInputStream(plaintext), List.of(this.identity.recipient()))) {
			return in.readAllBytes();
		}
	}

	private static byte[] randomBytes(int size, long seed) {
		byte[] bytes = new byte[size];
		new Random(seed).nextBytes(bytes);
		return bytes;
	}

	/** A source that says a fixed number of bytes are left, right or not. */
	private static final class Available extends FilterInputStream {

		private final int available;

		Available(InputStream in, int available) {
			super(in);
			this.available = available;
		}

		@Override
		public int available() {
			return this.available;
		}

	}

}

package io.github.litestream.age;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The payload decrypted ahead on the shared decryption threads
 * ({@link AgeKeyring#decryptingInParallel}) on files of many chunks: the plaintext is the
 * original, in order, whatever the reads' sizes; a damaged, reordered, truncated or extended
 * file fails with the same error as on the reading thread alone, after exactly the authentic
 * chunks before the damage were released; and it makes progress when every decryption thread
 * is busy elsewhere.
 */
class AgeParallelDecryptionTests {

	private static final int CHUNK = PayloadStream.CHUNK_SIZE;

	private static final int SEALED_CHUNK = PayloadStream.ENCRYPTED_CHUNK_SIZE;

	private final AgeIdentity identity = AgeIdentity.generate();

	private final AgeKeyring keyring = new AgeKeyring(List.of(this.identity));

	@TempDir
	Path temp;

	@ParameterizedTest(name = "{0} bytes")
	@ValueSource(ints = { 0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 40 * CHUNK, 40 * CHUNK + 12345 })
	void yieldsThePlaintextInOrder(int size) throws IOException {
		byte[] plaintext = randomBytes(size);
		byte[] file = encrypt(plaintext);
		assertThat(decryptInParallel(file, 8192).released()).isEqualTo(plaintext);
		// Odd read sizes cross chunk boundaries everywhere.
		assertThat(decryptInParallel(file, 7919).released()).isEqualTo(plaintext);
	}

	@Test
	void decryptsWhatTheAgeToolEncrypts() throws Exception {
		AgeCli.assumeInstalled();
		Path identityFile = this.temp.resolve("identity.txt");
		String recipient = AgeCli.keygen(identityFile);
		byte[] plaintext = randomBytes(30 * CHUNK + 777);
		Path plain = this.temp.resolve("plain");
		Files.write(plain, plaintext);
		byte[] file = AgeCli.encrypt(List.of(recipient), plain);
		AgeKeyring fromFile = new AgeKeyring(AgeIdentity.parseFile(Files.readString(identityFile)));
		try (InputStream in = fromFile.decryptingInParallel(new ByteArrayInputStream(file))) {
			assertThat(in.readAllBytes()).isEqualTo(plaintext);
		}
	}

	@ParameterizedTest(name = "chunk {0}")
	@ValueSource(ints = { 0, 1, 17, 38, 39 })
	void aDamagedChunkFailsAfterTheChunksBeforeItWereReleased(int damaged) throws IOException {
		byte[] plaintext = randomBytes(39 * CHUNK + 500);
		byte[] file = encrypt(plaintext);
		file[payloadStart(file) + damaged * SEALED_CHUNK + 100] ^= 1;
		Outcome outcome = decryptInParallel(file, 8192);
		assertThat(outcome.error()).isNotNull();
		assertThat(outcome.error().kind()).isEqualTo(AgeException.Kind.PAYLOAD);
		assertThat(outcome.error()).hasMessageContaining("chunk " + damaged + " is not authentic");
		assertThat(outcome.released()).isEqualTo(Arrays.copyOf(plaintext, damaged * CHUNK));
		assertSameOutcomeOnTheReadingThread(file, outcome);
	}

	@Test
	void swappedChunksFailAtTheFirstOfThem() throws IOException {
		byte[] plaintext = randomBytes(20 * CHUNK + 10);
		byte[] file = encrypt(plaintext);
		int start = payloadStart(file);
		byte[] fifth = Arrays.copyOfRange(file, start + 5 * SEALED_CHUNK, start + 6 * SEALED_CHUNK);
		System.arraycopy(file, start + 6 * SEALED_CHUNK, file, start + 5 * SEALED_CHUNK, SEALED_CHUNK);
		System.arraycopy(fifth, 0, file, start + 6 * SEALED_CHUNK, SEALED_CHUNK);
		Outcome outcome = decryptInParallel(file, 65536);
		assertThat(outcome.error()).hasMessageContaining("chunk 5 is not authentic");
		assertThat(outcome.released()).isEqualTo(Arrays.copyOf(plaintext, 5 * CHUNK));
		assertSameOutcomeOnTheReadingThread(file, outcome);
	}

	@Test
	void aFileCutAtAChunkBoundaryFailsAfterReleasingEveryChunkBeforeTheCut() throws IOException {
		byte[] plaintext = randomBytes(20 * CHUNK + 10);
		byte[] file = encrypt(plaintext);
		byte[] cut = Arrays.copyOf(file, payloadStart(file) + 12 * SEALED_CHUNK);
		Outcome outcome = decryptInParallel(cut, 8192);
		assertThat(outcome.error()).hasMessageContaining("it ends without a final chunk (truncated)");
		assertThat(outcome.released()).isEqualTo(Arrays.copyOf(plaintext, 12 * CHUNK));
		assertSameOutcomeOnTheReadingThread(cut, outcome);
	}

	@Test
	void aFileCutInsideAChunkFailsThere() throws IOException {
		byte[] plaintext = randomBytes(20 * CHUNK + 10);
		byte[] file = encrypt(plaintext);
		byte[] cut = Arrays.copyOf(file, payloadStart(file) + 12 * SEALED_CHUNK + 1000);
		Outcome outcome = decryptInParallel(cut, 8192);
		assertThat(outcome.error()).hasMessageContaining("chunk 12 is not authentic");
		assertThat(outcome.released()).isEqualTo(Arrays.copyOf(plaintext, 12 * CHUNK));
		assertSameOutcomeOnTheReadingThread(cut, outcome);
	}

	@Test
	void bytesAfterTheFinalChunkFailAfterTheWholePlaintextWasReleased() throws IOException {
		byte[] plaintext = randomBytes(10 * CHUNK);
		byte[] file = encrypt(plaintext);
		int start = payloadStart(file);
		// The final chunk (full-sized here) repeated: authentic, but after the end.
		byte[] extended = Arrays.copyOf(file, file.length + SEALED_CHUNK);
		System.arraycopy(file, start + 9 * SEALED_CHUNK, extended, file.length, SEALED_CHUNK);
		Outcome outcome = decryptInParallel(extended, 8192);
		assertThat(outcome.error()).hasMessageContaining("bytes follow its final chunk");
		assertThat(outcome.released()).isEqualTo(plaintext);
		assertSameOutcomeOnTheReadingThread(extended, outcome);
	}

	@Test
	void progressesWhenEveryDecryptionThreadIsBusy() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch started = new CountDownLatch(DecryptionThreads.count());
		for (int i = 0; i < DecryptionThreads.count(); i++) {
			DecryptionThreads.executor().execute(() -> {
				started.countDown();
				try {
					release.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
		}
		try {
			assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
			byte[] plaintext = randomBytes(25 * CHUNK + 3);
			assertThat(decryptInParallel(encrypt(plaintext), 8192).released()).isEqualTo(plaintext);
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void closingMidwayStopsAndLaterReadsFail() throws IOException {
		byte[] plaintext = randomBytes(30 * CHUNK);
		InputStream in = this.keyring.decryptingInParallel(new ByteArrayInputStream(encrypt(plaintext)));
		assertThat(in.readNBytes(3 * CHUNK + 5)).isEqualTo(Arrays.copyOf(plaintext, 3 * CHUNK + 5));
		in.close();
		assertThatExceptionOfType(IOException.class).isThrownBy(in::read).withMessageContaining("closed");
	}

	private void assertSameOutcomeOnTheReadingThread(byte[] file, Outcome parallel) throws IOException {
		Outcome serial = decrypt(file, 8192, false);
		assertThat(serial.released()).isEqualTo(parallel.released());
		assertThat(serial.error()).hasMessage(parallel.error().getMessage());
	}

	private Outcome decryptInParallel(byte[] file, int readSize) throws IOException {
		return decrypt(file, readSize, true);
	}

	private Outcome decrypt(byte[] file, int readSize, boolean inParallel) throws IOException {
		ByteArrayOutputStream released = new ByteArrayOutputStream();
		ByteArrayInputStream source = new ByteArrayInputStream(file);
		try (InputStream in = inParallel ? this.keyring.decryptingInParallel(source) : this.keyring.decrypting(source)) {
			byte[] buffer = new byte[readSize];
			int n;
			while ((n = in.read(buffer)) >= 0) {
				released.write(buffer, 0, n);
			}
		}
		catch (AgeException ex) {
			return new Outcome(released.toByteArray(), ex);
		}
		return new Outcome(released.toByteArray(), null);
	}

	private byte[] encrypt(byte[] plaintext) throws IOException {
		try (InputStream in = Age.encrypting(new ByteArrayInputStream(plaintext), List.of(this.identity.recipient()))) {
			return in.readAllBytes();
		}
	}

	/** Where the first chunk starts: after the header's MAC line and the 16-byte payload nonce. */
	private static int payloadStart(byte[] file) {
		String text = new String(file, StandardCharsets.ISO_8859_1);
		int macLine = text.indexOf("\n---") + 1;
		return text.indexOf('\n', macLine) + 1 + PayloadStream.NONCE_SIZE;
	}

	private static byte[] randomBytes(int size) {
		byte[] bytes = new byte[size];
		new Random(size).nextBytes(bytes);
		return bytes;
	}

	private record Outcome(byte[] released, AgeException error) {
	}

}

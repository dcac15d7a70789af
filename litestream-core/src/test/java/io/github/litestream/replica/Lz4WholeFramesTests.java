package io.github.litestream.replica;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import io.github.litestream.age.AgeException;
import io.github.litestream.restore.Fixture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link Lz4#decompress(byte[], int)}, the in-memory decoder of small objects, against the
 * streaming decoder, the {@code lz4} command-line tool's frame options and Litestream's own
 * objects; and on damaged input, which must fail rather than yield other bytes.
 */
class Lz4WholeFramesTests {

	@TempDir
	Path temp;

	@Test
	void decodesWhatWeCompressOverSeveralBlocksSomeStoredRaw() throws IOException {
		byte[] data = data(3 * 1024 * 1024 + 77);
		assertThat(Lz4.decompress(compress(data), Integer.MAX_VALUE)).isEqualTo(data);
	}

	@Test
	void decodesAnEmptyFrame() throws IOException {
		assertThat(Lz4.decompress(compress(new byte[0]), 100)).isEmpty();
	}

	@Test
	void decodesEveryObjectLitestreamWroteLikeTheStreamingDecoder() throws IOException {
		List<Path> objects;
		try (Stream<Path> files = Files.walk(Fixture.copyReplica(this.temp.resolve("replica")))) {
			objects = files.filter((file) -> file.toString().endsWith(".lz4")).toList();
		}
		assertThat(objects).hasSizeGreaterThan(90);
		for (Path object : objects) {
			byte[] compressed = Files.readAllBytes(object);
			try (InputStream stream = Lz4.decompress(new ByteArrayInputStream(compressed))) {
				assertThat(Lz4.decompress(compressed, Integer.MAX_VALUE)).as("%s", object)
					.isEqualTo(stream.readAllBytes());
			}
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "-B4", "-B5", "-B6", "-B7", "--content-size", "-BX", "--no-frame-crc" })
	void decodesTheLz4CliFramesWithEachOption(String option) throws Exception {
		byte[] data = data(700_000);
		assertThat(Lz4.decompress(lz4Cli(data, option, "-BI"), Integer.MAX_VALUE)).isEqualTo(data);
	}

	@Test
	void decodesConcatenatedFramesAndSkipsSkippableOnes() throws Exception {
		byte[] first = data(100_000);
		byte[] second = data(50_000);
		ByteArrayOutputStream object = new ByteArrayOutputStream();
		// A skippable frame: magic 0x184D2A5F, 4 bytes of length, then anything.
		object.writeBytes(new byte[] { 0x5F, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3 });
		object.writeBytes(compress(first));
		object.writeBytes(lz4Cli(second, "-BX", "-BI"));
		ByteArrayOutputStream expected = new ByteArrayOutputStream();
		expected.writeBytes(first);
		expected.writeBytes(second);
		assertThat(Lz4.decompress(object.toByteArray(), Integer.MAX_VALUE)).isEqualTo(expected.toByteArray());
	}

	@Test
	void leavesLinkedBlocksToTheStreamingDecoder() throws Exception {
		assertThat(Lz4.decompress(lz4Cli(data(700_000), "-B4", "-BD"), Integer.MAX_VALUE)).isNull();
	}

	@Test
	void givesUpPastTheLimitAndDecodesUpToIt() throws IOException {
		byte[] data = data(300_000);
		byte[] compressed = compress(data);
		assertThat(Lz4.decompress(compressed, data.length - 1)).isNull();
		assertThat(Lz4.decompress(compressed, data.length)).isEqualTo(data);
	}

	@Test
	void failsOnEveryTruncation() throws IOException {
		byte[] compressed = compress(data(20_000));
		for (int length = 0; length < compressed.length; length += 97) {
			byte[] cut = java.util.Arrays.copyOf(compressed, length);
			assertThatExceptionOfType(IOException.class).as("cut to %d bytes", length)
				.isThrownBy(() -> Lz4.decompress(cut, Integer.MAX_VALUE));
		}
	}

	@Test
	void failsOnAnyChangedByte() throws IOException {
		byte[] data = data(20_000);
		byte[] compressed = compress(data);
		Random random = new Random(3);
		List<Integer> undetected = new ArrayList<>();
		for (int i = 0; i < 300; i++) {
			byte[] damaged = compressed.clone();
			int at = random.nextInt(damaged.length);
			damaged[at] ^= (byte) (1 + random.nextInt(255));
			try {
				Lz4.decompress(damaged, Integer.MAX_VALUE);
				undetected.add(at);
			}
			catch (IOException expected) {
				// Detected: a checksum, the block decoder or the frame's structure.
			}
		}
		assertThat(undetected).isEmpty();
	}

	@Test
	void saysSoWhenTheObjectIsEncryptedWithAge() {
		byte[] encrypted = "age-encryption.org/v1\n-> X25519 abc\n".getBytes(StandardCharsets.US_ASCII);
		assertThatExceptionOfType(AgeException.class).isThrownBy(() -> Lz4.decompress(encrypted, 1000))
			.withMessageContaining("no age identity");
	}

	/** Half compressible, half random, so that some blocks are stored raw. */
	private static byte[] data(int length) {
		byte[] data = new byte[length];
		new Random(length).nextBytes(data);
		for (int i = 0; i < length / 2; i++) {
			data[i] = (byte) (i % 37);
		}
		return data;
	}

	private static byte[] compress(byte[] data) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (OutputStream lz4 = Lz4.compress(out)) {
			lz4.write(data);
		}
		return out.toByteArray();
	}

	private byte[] lz4Cli(byte[] data, String... options) throws Exception {
		Path input = Files.write(this.temp.resolve("input"), data);
		Path output = this.temp.resolve("output.lz4");
		List<String> command = new ArrayList<>(List.of("lz4", "-q", "-f"));
		command.addAll(List.of(options));
		command.addAll(List.of(input.toString(), output.toString()));
		Process process;
		try {
			process = new ProcessBuilder(command).redirectErrorStream(true).start();
		}
		catch (IOException ex) {
			Assumptions.abort("The 'lz4' command-line tool is not installed: " + ex.getMessage());
			throw ex;
		}
		String messages = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor()).as("lz4 %s: %s", command, messages).isZero();
		return Files.readAllBytes(output);
	}

}

package io.github.litestream.replica.file;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

import io.github.litestream.replica.ObjectInMemory;
import io.github.litestream.replica.Pos;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A small object opened from a file replica reads like any stream: whole, in parts, or the
 * rest after a part; a large one streams from the file.
 */
class ObjectInMemoryTests {

	@TempDir
	Path temp;

	@Test
	void readWholeOnceThenEmpty() throws IOException {
		try (InputStream in = new ObjectInMemory(bytes("0123456789"))) {
			assertThat(in.readAllBytes()).isEqualTo(bytes("0123456789"));
			assertThat(in.read()).isEqualTo(-1);
			assertThat(in.readAllBytes()).isEmpty();
		}
	}

	@Test
	void theRestAfterAPart() throws IOException {
		try (InputStream in = new ObjectInMemory(bytes("0123456789"))) {
			assertThat(in.readNBytes(4)).isEqualTo(bytes("0123"));
			assertThat(in.readAllBytes()).isEqualTo(bytes("456789"));
		}
	}

	@Test
	void segmentsOfAnySizeReadTheSameFromTheClient() throws IOException {
		FileReplicaClient client = new FileReplicaClient(this.temp);
		Pos small = new Pos("0123456789abcdef", 1, 0);
		Pos large = new Pos("0123456789abcdef", 1, 4096);
		byte[] smallContent = new byte[1000];
		byte[] largeContent = new byte[3 * 1024 * 1024];
		new Random(7).nextBytes(smallContent);
		new Random(8).nextBytes(largeContent);
		client.writeWalSegment(small, new ByteArrayInputStream(smallContent));
		client.writeWalSegment(large, new ByteArrayInputStream(largeContent));
		try (InputStream in = client.openWalSegment(small)) {
			assertThat(in).isInstanceOf(ObjectInMemory.class);
			assertThat(in.readAllBytes()).isEqualTo(smallContent);
		}
		try (InputStream in = client.openWalSegment(large)) {
			assertThat(in).isNotInstanceOf(ObjectInMemory.class);
			assertThat(in.readAllBytes()).isEqualTo(largeContent);
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}

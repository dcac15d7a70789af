package io.github.litestream.replica.s3;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A body read whole is exactly what the server sent, whatever its {@code Content-Length} said,
 * and one cut before that length is an error naming the object.
 */
class WholeBodyInputStreamTests {

	private static final byte[] BODY = "0123456789".getBytes(StandardCharsets.US_ASCII);

	@Test
	void asAnnounced() throws IOException {
		assertThat(stream(BODY, BODY.length).readAllBytes()).isEqualTo(BODY);
	}

	@Test
	void longerThanAnnounced() throws IOException {
		assertThat(stream(BODY, 4).readAllBytes()).isEqualTo(BODY);
	}

	@Test
	void noLengthAnnounced() throws IOException {
		assertThat(stream(BODY, -1).readAllBytes()).isEqualTo(BODY);
	}

	@Test
	void theRestAfterAPart() throws IOException {
		InputStream in = stream(BODY, BODY.length);
		assertThat(in.readNBytes(3)).isEqualTo(Arrays.copyOf(BODY, 3));
		assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(BODY, 3, BODY.length));
	}

	@Test
	void cutShort() {
		assertThatExceptionOfType(EOFException.class).isThrownBy(() -> stream(BODY, 12).readAllBytes())
			.withMessageContaining("'db/key'")
			.withMessageContaining("after 10 of its 12 bytes");
	}

	private static InputStream stream(byte[] body, long announced) {
		return new WholeBodyInputStream(new ByteArrayInputStream(body), announced, "db/key");
	}

}

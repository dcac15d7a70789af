package io.github.litestream.replica;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PushbackInputStream;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first part of an upload body: exactly the body's bytes, in an array sized to what came
 * unless more follows, and a stream that still yields every byte after it.
 */
class FirstPartTests {

	private static final int PART = 1024 * 1024;

	@Test
	void aSmallBodyIsOnePartInASmallArray() throws IOException {
		byte[] body = body(4096);
		FirstPart first = FirstPart.read(stream(body), PART);
		assertThat(first.more()).isFalse();
		assertThat(first.buffer().length).isLessThan(PART);
		assertThat(Arrays.copyOf(first.buffer(), first.length())).isEqualTo(body);
	}

	@Test
	void bodiesAroundEachSizeTheArrayGrowsThroughAreReadWhole() throws IOException {
		for (int size : new int[] { 0, 1, 65535, 65536, 65537, 262144, 262145, PART - 1, PART }) {
			byte[] body = body(size);
			FirstPart first = FirstPart.read(stream(body), PART);
			assertThat(first.more()).as("size %d", size).isFalse();
			assertThat(Arrays.copyOf(first.buffer(), first.length())).as("size %d", size).isEqualTo(body);
		}
	}

	@Test
	void aLargerBodyFillsAWholePartAndLeavesTheRestInTheStream() throws IOException {
		byte[] body = body(PART + 1);
		PushbackInputStream in = stream(body);
		FirstPart first = FirstPart.read(in, PART);
		assertThat(first.more()).isTrue();
		assertThat(first.buffer().length).isEqualTo(PART);
		assertThat(first.length()).isEqualTo(PART);
		assertThat(Arrays.copyOf(first.buffer(), PART)).isEqualTo(Arrays.copyOf(body, PART));
		assertThat(in.readAllBytes()).containsExactly(body[PART]);
	}

	@Test
	void aPartSmallerThanTheFirstReadIsTheWholeArray() throws IOException {
		byte[] body = body(100);
		FirstPart first = FirstPart.read(stream(body), 10);
		assertThat(first.more()).isTrue();
		assertThat(first.buffer()).hasSize(10).isEqualTo(Arrays.copyOf(body, 10));
	}

	private static PushbackInputStream stream(byte[] body) {
		return new PushbackInputStream(new ByteArrayInputStream(body), 1);
	}

	private static byte[] body(int size) {
		byte[] body = new byte[size];
		new Random(size).nextBytes(body);
		return body;
	}

}

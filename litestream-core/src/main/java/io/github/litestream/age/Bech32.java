package io.github.litestream.age;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * Bech32 (BIP 173) without its length limit, as age encodes keys: a human-readable part, the
 * separator {@code 1}, the data in 5-bit groups and a 6-character checksum computed over the
 * lower-case string.
 */
final class Bech32 {

	private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

	private static final int[] GENERATOR = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3 };

	private Bech32() {
	}

	/**
	 * Encodes bytes.
	 * @param hrp the human-readable part
	 * @param data the bytes
	 * @return the encoding, lower case
	 */
	static String encode(String hrp, byte[] data) {
		String lowerHrp = hrp.toLowerCase(Locale.ROOT);
		byte[] values = regroup(data, 8, 5, true);
		byte[] checked = new byte[values.length + 6];
		System.arraycopy(values, 0, checked, 0, values.length);
		int checksum = polymod(lowerHrp, checked) ^ 1;
		StringBuilder out = new StringBuilder(lowerHrp).append('1');
		for (int i = 0; i < values.length; i++) {
			out.append(CHARSET.charAt(values[i]));
		}
		for (int i = 0; i < 6; i++) {
			out.append(CHARSET.charAt((checksum >>> (5 * (5 - i))) & 31));
		}
		return out.toString();
	}

	/**
	 * Decodes a string.
	 * @param text the encoding, all lower or all upper case
	 * @return the human-readable part in lower case, and the bytes
	 * @throws IllegalArgumentException if it is not valid Bech32; the message never repeats
	 * the input, which may be a secret key
	 */
	static Decoded decode(String text) {
		String lower = text.toLowerCase(Locale.ROOT);
		if (!text.equals(lower) && !text.equals(text.toUpperCase(Locale.ROOT))) {
			throw new IllegalArgumentException("mixes upper and lower case");
		}
		int separator = lower.lastIndexOf('1');
		if (separator < 1 || separator + 7 > lower.length()) {
			throw new IllegalArgumentException("has no human-readable part, separator '1' and checksum");
		}
		String hrp = lower.substring(0, separator);
		for (int i = 0; i < hrp.length(); i++) {
			if (hrp.charAt(i) < 33 || hrp.charAt(i) > 126) {
				throw new IllegalArgumentException("has an invalid character in its human-readable part");
			}
		}
		byte[] values = new byte[lower.length() - separator - 1];
		for (int i = 0; i < values.length; i++) {
			int value = CHARSET.indexOf(lower.charAt(separator + 1 + i));
			if (value < 0) {
				throw new IllegalArgumentException("has a character that is not in the Bech32 alphabet");
			}
			values[i] = (byte) value;
		}
		if (polymod(hrp, values) != 1) {
			throw new IllegalArgumentException("has an invalid checksum (mistyped or truncated)");
		}
		byte[] data = new byte[values.length - 6];
		System.arraycopy(values, 0, data, 0, data.length);
		return new Decoded(hrp, regroup(data, 5, 8, false));
	}

	private static int polymod(String hrp, byte[] values) {
		int checksum = 1;
		for (int i = 0; i < hrp.length(); i++) {
			checksum = step(checksum, hrp.charAt(i) >>> 5);
		}
		checksum = step(checksum, 0);
		for (int i = 0; i < hrp.length(); i++) {
			checksum = step(checksum, hrp.charAt(i) & 31);
		}
		for (byte value : values) {
			checksum = step(checksum, value);
		}
		return checksum;
	}

	private static int step(int checksum, int value) {
		int top = checksum >>> 25;
		checksum = ((checksum & 0x1ffffff) << 5) ^ value;
		for (int i = 0; i < 5; i++) {
			if (((top >>> i) & 1) != 0) {
				checksum ^= GENERATOR[i];
			}
		}
		return checksum;
	}

	private static byte[] regroup(byte[] data, int from, int to, boolean pad) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int accumulator = 0;
		int bits = 0;
		int mask = (1 << to) - 1;
		for (byte b : data) {
			accumulator = (accumulator << from) | (b & ((1 << from) - 1));
			bits += from;
			while (bits >= to) {
				bits -= to;
				out.write((accumulator >>> bits) & mask);
			}
		}
		if (pad) {
			if (bits > 0) {
				out.write((accumulator << (to - bits)) & mask);
			}
		}
		else if (bits >= from || ((accumulator << (to - bits)) & mask) != 0) {
			throw new IllegalArgumentException("has invalid padding");
		}
		return out.toByteArray();
	}

	/**
	 * A decoded string.
	 *
	 * @param hrp the human-readable part, lower case
	 * @param data the bytes
	 */
	record Decoded(String hrp, byte[] data) {

	}

}

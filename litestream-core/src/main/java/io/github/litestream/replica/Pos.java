package io.github.litestream.replica;

import java.util.HexFormat;

/**
 * A position in a replicated database's history: a generation, a WAL index within it, and
 * a byte offset within that index's WAL (the offset counts the 32-byte WAL header).
 *
 * @param generation 16 lowercase hex characters
 * @param index the WAL index
 * @param offset the byte offset within that index
 */
public record Pos(String generation, long index, long offset) implements Comparable<Pos> {

	/** Largest index, or segment start offset, the 8-hex-digit names can hold. */
	public static final long MAX_INDEX = 0xffffffffL;

	/**
	 * Creates a position, checking its parts.
	 * @param generation the generation
	 * @param index the index
	 * @param offset the offset
	 */
	public Pos {
		if (!isGeneration(generation)) {
			throw new IllegalArgumentException("Invalid generation '" + generation + "': expected 16 lowercase hex characters");
		}
		// An offset may pass MAX_INDEX (a transaction that made the WAL index larger than 4 GiB
		// ends there); no segment may start past it (see ReplicaLayout).
		if (index < 0 || index > MAX_INDEX || offset < 0) {
			throw new IllegalArgumentException("Position out of range: index " + index + ", offset " + offset);
		}
	}

	/**
	 * Whether a string is a valid generation name.
	 * @param name the candidate
	 * @return {@code true} for 16 lowercase hex characters
	 */
	public static boolean isGeneration(String name) {
		return name != null && name.length() == 16 && isLowerHex(name, 0, 16);
	}

	/**
	 * Formats an index or offset as Litestream does: 8 lowercase hex digits, more for an offset
	 * past {@link #MAX_INDEX}.
	 * @param value the value
	 * @return the formatted value
	 */
	public static String hex(long value) {
		return (value >= 0 && value <= MAX_INDEX) ? HexFormat.of().toHexDigits((int) value) : Long.toHexString(value);
	}

	/**
	 * Parses an index given in hex, as Litestream prints it.
	 * @param text the hex text
	 * @return the index
	 * @throws IllegalArgumentException if it is not 1 to 8 hex digits
	 */
	public static long parseIndex(String text) {
		if (text == null || !text.matches("[0-9a-fA-F]{1,8}")) {
			throw new IllegalArgumentException("Invalid WAL index '" + text + "': expected up to 8 hex digits, such as 0000001a");
		}
		return Long.parseLong(text, 16);
	}

	/**
	 * Whether {@code text[from, to)} is all lowercase hex digits, as replica names are (a
	 * generation's 16 too, which {@link #lowerHex} cannot hold).
	 * @param text the text
	 * @param from the first character checked
	 * @param to past the last character checked
	 * @return {@code true} if every character in the range is one of {@code 0-9a-f}
	 */
	static boolean isLowerHex(String text, int from, int to) {
		for (int i = from; i < to; i++) {
			if (hexDigit(text.charAt(i)) < 0) {
				return false;
			}
		}
		return true;
	}

	/**
	 * The value of up to 15 lowercase hex digits, checked and decoded in one pass by hand rather
	 * than with a regular expression and {@code Long.parseLong}: a restore reads thousands of
	 * names in a cold JVM, where the regex engine costs more to compile than the names cost to
	 * check, and where each call per character is interpreted at first.
	 * @param text the text
	 * @param from the first digit
	 * @param to past the last digit
	 * @return the value, or -1 if a character in the range is not one of {@code 0-9a-f}
	 */
	static long lowerHex(String text, int from, int to) {
		long value = 0;
		for (int i = from; i < to; i++) {
			int digit = hexDigit(text.charAt(i));
			if (digit < 0) {
				return -1;
			}
			value = (value << 4) | digit;
		}
		return value;
	}

	private static int hexDigit(char c) {
		return (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
	}

	@Override
	public int compareTo(Pos other) {
		int byIndex = Long.compare(this.index, other.index);
		return (byIndex != 0) ? byIndex : Long.compare(this.offset, other.offset);
	}

	@Override
	public String toString() {
		return this.generation + "/" + hex(this.index) + ":" + hex(this.offset);
	}

}

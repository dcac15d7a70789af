package io.github.litestream.age;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Keys written one per line, as {@code age-keygen} writes an identity file and as age's own
 * parsers read identities and recipients: blank lines and {@code #} comments are ignored.
 */
final class KeyLines {

	private KeyLines() {
	}

	/**
	 * Parses every key of a text.
	 * @param <T> the kind of key
	 * @param content the text
	 * @param parser parses one key, throwing {@link IllegalArgumentException} if it is not one
	 * @param none the message when the text holds no key
	 * @return the keys, in order
	 * @throws IllegalArgumentException if a line is not a key (the message gives its number and
	 * the parser's reason, never the line) or there is none
	 */
	static <T> List<T> parse(String content, Function<String, T> parser, String none) {
		List<T> keys = new ArrayList<>();
		String[] lines = content.split("\n", -1);
		for (int i = 0; i < lines.length; i++) {
			String line = lines[i].strip();
			if (line.isEmpty() || line.startsWith("#")) {
				continue;
			}
			try {
				keys.add(parser.apply(line));
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("line " + (i + 1) + ": " + ex.getMessage(), ex);
			}
		}
		if (keys.isEmpty()) {
			throw new IllegalArgumentException(none);
		}
		return keys;
	}

}

package io.github.litestream.lease;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The little JSON the lease needs: one object of strings, numbers and booleans, no nesting.
 * The engine has no JSON library, and a lease record is not worth one.
 */
final class FlatJson {

	private FlatJson() {
	}

	static String quote(String text) {
		StringBuilder quoted = new StringBuilder("\"");
		for (char c : text.toCharArray()) {
			switch (c) {
				case '"' -> quoted.append("\\\"");
				case '\\' -> quoted.append("\\\\");
				default -> {
					if (c < 0x20) {
						quoted.append(String.format("\\u%04x", (int) c));
					}
					else {
						quoted.append(c);
					}
				}
			}
		}
		return quoted.append('"').toString();
	}

	/**
	 * Parses one flat object.
	 * @param json the text
	 * @return its fields, values as text (strings unquoted)
	 * @throws IllegalArgumentException if it is not a flat JSON object
	 */
	static Map<String, String> parse(String json) {
		Parser parser = new Parser(json.strip());
		return parser.object();
	}

	private static final class Parser {

		private final String text;

		private int at;

		Parser(String text) {
			this.text = text;
		}

		Map<String, String> object() {
			Map<String, String> fields = new LinkedHashMap<>();
			expect('{');
			skipSpace();
			if (peek() == '}') {
				this.at++;
				return end(fields);
			}
			while (true) {
				skipSpace();
				String name = string();
				skipSpace();
				expect(':');
				skipSpace();
				fields.put(name, (peek() == '"') ? string() : bare());
				skipSpace();
				char next = next();
				if (next == '}') {
					return end(fields);
				}
				if (next != ',') {
					throw fail("',' or '}'");
				}
			}
		}

		private Map<String, String> end(Map<String, String> fields) {
			skipSpace();
			if (this.at != this.text.length()) {
				throw fail("the end");
			}
			return fields;
		}

		private String string() {
			expect('"');
			StringBuilder value = new StringBuilder();
			while (true) {
				char c = next();
				if (c == '"') {
					return value.toString();
				}
				if (c != '\\') {
					value.append(c);
					continue;
				}
				char escaped = next();
				switch (escaped) {
					case 'u' -> {
						if (this.at + 4 > this.text.length()) {
							throw fail("four hex digits");
						}
						value.append((char) Integer.parseInt(this.text.substring(this.at, this.at + 4), 16));
						this.at += 4;
					}
					case 'n' -> value.append('\n');
					case 't' -> value.append('\t');
					case 'r' -> value.append('\r');
					case 'b' -> value.append('\b');
					case 'f' -> value.append('\f');
					default -> value.append(escaped);
				}
			}
		}

		private String bare() {
			int start = this.at;
			while (this.at < this.text.length() && ",} \t\r\n".indexOf(this.text.charAt(this.at)) < 0) {
				this.at++;
			}
			if (start == this.at) {
				throw fail("a value");
			}
			return this.text.substring(start, this.at);
		}

		private void skipSpace() {
			while (this.at < this.text.length() && Character.isWhitespace(this.text.charAt(this.at))) {
				this.at++;
			}
		}

		private char peek() {
			if (this.at >= this.text.length()) {
				throw fail("more");
			}
			return this.text.charAt(this.at);
		}

		private char next() {
			char c = peek();
			this.at++;
			return c;
		}

		private void expect(char c) {
			if (next() != c) {
				throw fail("'" + c + "'");
			}
		}

		private IllegalArgumentException fail(String expected) {
			return new IllegalArgumentException("Not a flat JSON object: expected " + expected + " at character " + this.at);
		}

	}

}

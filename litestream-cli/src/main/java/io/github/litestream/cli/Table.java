package io.github.litestream.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * What a command lists: named columns and rows of strings and numbers, printed either as
 * Litestream prints its tables (Go's {@code tabwriter} with two spaces of padding: every
 * column but the last as wide as its widest cell plus two) or, with {@code --json}, as a JSON
 * array of objects keyed by the column names.
 */
final class Table {

	private static final int PADDING = 2;

	private final List<String> columns;

	private final List<List<Object>> rows = new ArrayList<>();

	/**
	 * Creates an empty table.
	 * @param columns the column names, as the header prints them and the JSON keys them
	 */
	Table(String... columns) {
		this.columns = List.of(columns);
	}

	/**
	 * Adds a row.
	 * @param values one value per column: a {@link String} or a {@link Number}
	 * @return this table
	 */
	Table add(Object... values) {
		if (values.length != this.columns.size()) {
			throw new IllegalArgumentException("A row of " + this.columns + " needs " + this.columns.size() + " values");
		}
		this.rows.add(List.of(values));
		return this;
	}

	/**
	 * The number of rows.
	 * @return the row count
	 */
	int size() {
		return this.rows.size();
	}

	/**
	 * Prints the table.
	 * @param out where to
	 * @param json whether as JSON
	 */
	void print(PrintWriter out, boolean json) {
		if (json) {
			out.println(json());
		}
		else {
			text(out);
		}
		out.flush();
	}

	private void text(PrintWriter out) {
		List<List<String>> lines = new ArrayList<>();
		lines.add(this.columns);
		this.rows.forEach((row) -> lines.add(row.stream().map(String::valueOf).toList()));
		int[] widths = new int[this.columns.size()];
		for (List<String> line : lines) {
			for (int i = 0; i < line.size(); i++) {
				widths[i] = Math.max(widths[i], line.get(i).codePointCount(0, line.get(i).length()));
			}
		}
		for (List<String> line : lines) {
			StringBuilder text = new StringBuilder();
			for (int i = 0; i < line.size(); i++) {
				String cell = line.get(i);
				text.append(cell);
				if (i < line.size() - 1) {
					text.append(" ".repeat(widths[i] - cell.codePointCount(0, cell.length()) + PADDING));
				}
			}
			out.println(text);
		}
	}

	private String json() {
		StringBuilder json = new StringBuilder("[");
		for (int r = 0; r < this.rows.size(); r++) {
			json.append((r == 0) ? "\n  {" : ",\n  {");
			List<Object> row = this.rows.get(r);
			for (int i = 0; i < row.size(); i++) {
				json.append((i == 0) ? "" : ", ").append(quote(this.columns.get(i))).append(": ");
				Object value = row.get(i);
				json.append((value instanceof Number) ? value.toString() : quote(String.valueOf(value)));
			}
			json.append('}');
		}
		return json.append(this.rows.isEmpty() ? "]" : "\n]").toString();
	}

	/**
	 * A time as Litestream's tables print it: RFC 3339 in UTC, whole seconds.
	 * @param time the time
	 * @return the text
	 */
	static String time(Instant time) {
		return DateTimeFormatter.ISO_INSTANT.format(time.truncatedTo(ChronoUnit.SECONDS));
	}

	static String quote(String text) {
		StringBuilder quoted = new StringBuilder("\"");
		for (char c : text.toCharArray()) {
			switch (c) {
				case '"' -> quoted.append("\\\"");
				case '\\' -> quoted.append("\\\\");
				case '\n' -> quoted.append("\\n");
				case '\r' -> quoted.append("\\r");
				case '\t' -> quoted.append("\\t");
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

}

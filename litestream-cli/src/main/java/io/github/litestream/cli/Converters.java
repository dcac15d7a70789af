package io.github.litestream.cli;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import io.github.litestream.replica.Pos;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The flag values Litestream v0.3 parses its own way: {@code -index} in hex, {@code -timestamp}
 * in RFC 3339.
 */
final class Converters {

	private Converters() {
	}

	/**
	 * A WAL index in hex, as file names and the {@code -index} flag write it.
	 */
	static final class Index implements ITypeConverter<Long> {

		@Override
		public Long convert(String value) {
			try {
				return Pos.parseIndex(value);
			}
			catch (IllegalArgumentException ex) {
				throw new TypeConversionException("'" + value + "' is not a WAL index: use up to 8 hex digits, such as "
						+ "0000001a (the snapshots and wal tables print indexes in decimal)");
			}
		}

	}

	/**
	 * An RFC 3339 time, such as {@code 2026-01-01T00:00:00Z}.
	 */
	static final class Timestamp implements ITypeConverter<Instant> {

		@Override
		public Instant convert(String value) {
			try {
				return OffsetDateTime.parse(value).toInstant();
			}
			catch (DateTimeParseException ex) {
				throw new TypeConversionException("'" + value + "' is not an RFC 3339 time: write it as "
						+ "2026-01-01T00:00:00Z or 2026-01-01T01:00:00+01:00");
			}
		}

	}

}

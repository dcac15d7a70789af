package io.github.litestream.cli;

import java.time.Duration;

/**
 * Formats a lag as Litestream's {@code generations} table prints it: Go's
 * {@code time.Duration.String()} ({@code 1h2m3s}, {@code 4.5s}, {@code 12ms}) after the same
 * truncation to a few significant digits.
 */
final class GoDuration {

	private static final long MICROSECOND = 1_000;

	private static final long MILLISECOND = 1_000_000;

	private static final long SECOND = 1_000_000_000;

	private GoDuration() {
	}

	/**
	 * Truncates and formats a duration.
	 * @param duration the duration, may be negative
	 * @return its Go form
	 */
	static String format(Duration duration) {
		return string(truncate(duration.toNanos()));
	}

	private static long truncate(long nanos) {
		long magnitude = Math.abs(nanos);
		long unit;
		if (magnitude > 10 * SECOND) {
			unit = SECOND;
		}
		else if (magnitude > SECOND) {
			unit = SECOND / 10;
		}
		else if (magnitude > MILLISECOND) {
			unit = MILLISECOND;
		}
		else if (magnitude > MICROSECOND) {
			unit = MICROSECOND;
		}
		else {
			return nanos;
		}
		return nanos - nanos % unit; // towards zero, as Go's Truncate
	}

	static String string(long nanos) {
		if (nanos == 0) {
			return "0s";
		}
		String sign = (nanos < 0) ? "-" : "";
		long magnitude = Math.abs(nanos);
		if (magnitude < MICROSECOND) {
			return sign + magnitude + "ns";
		}
		if (magnitude < MILLISECOND) {
			return sign + decimal(magnitude, MICROSECOND, 3) + "µs";
		}
		if (magnitude < SECOND) {
			return sign + decimal(magnitude, MILLISECOND, 6) + "ms";
		}
		long seconds = magnitude / SECOND;
		String text = decimal(seconds % 60 * SECOND + magnitude % SECOND, SECOND, 9) + "s";
		long minutes = seconds / 60;
		if (minutes > 0) {
			text = minutes % 60 + "m" + text;
			if (minutes >= 60) {
				text = minutes / 60 + "h" + text;
			}
		}
		return sign + text;
	}

	/** {@code value / unit} with its fraction's trailing zeros dropped, as Go prints it. */
	private static String decimal(long value, long unit, int digits) {
		long whole = value / unit;
		long fraction = value % unit;
		if (fraction == 0) {
			return Long.toString(whole);
		}
		String text = String.format("%0" + digits + "d", fraction).replaceAll("0+$", "");
		return whole + "." + text;
	}

}

package io.github.litestream.boot.autoconfigure;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Reads a duration as Go's {@code time.ParseDuration} does, which is how Litestream reads
 * {@code litestream.yml}: a sequence of numbers, each with an optional fraction and a unit
 * ({@code 1h30m}, {@code 1.5h}, {@code 2m3.5s}, {@code 300ms}), optionally signed. Spring's
 * own format takes one number and unit only; {@link LitestreamBindHandler} falls back to this
 * one for the values Spring refuses.
 */
final class GoDurationFormat {

	private static final Map<String, Long> NANOS_PER_UNIT = Map.of("ns", 1L, "us", 1_000L, "\u00b5s", 1_000L,
			"\u03bcs", 1_000L, "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

	private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

	private GoDurationFormat() {
	}

	/**
	 * Parses a Go duration.
	 * @param text the value, trimmed
	 * @return the duration, or {@code null} if the text is not one (a unit missing or unknown,
	 * no digits, beyond Go's limit of about 292 years)
	 */
	static @Nullable Duration parse(String text) {
		int i = 0;
		boolean negative = false;
		if (!text.isEmpty() && (text.charAt(0) == '-' || text.charAt(0) == '+')) {
			negative = text.charAt(0) == '-';
			i++;
		}
		if (text.substring(i).equals("0")) {
			return Duration.ZERO;
		}
		if (i == text.length()) {
			return null;
		}
		BigDecimal nanos = BigDecimal.ZERO;
		while (i < text.length()) {
			int start = i;
			while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
				i++;
			}
			String number = text.substring(start, i);
			int unitStart = i;
			while (i < text.length() && !Character.isDigit(text.charAt(i)) && text.charAt(i) != '.') {
				i++;
			}
			Long unit = NANOS_PER_UNIT.get(text.substring(unitStart, i));
			if (unit == null || !number.matches("[0-9]*\\.?[0-9]*") || number.replace(".", "").isEmpty()) {
				return null;
			}
			nanos = nanos.add(new BigDecimal(number.endsWith(".") ? number + "0" : number).multiply(BigDecimal.valueOf(unit)));
		}
		BigInteger whole = nanos.toBigInteger();
		if (whole.compareTo(MAX_NANOS) > 0) {
			return null;
		}
		Duration duration = Duration.ofNanos(whole.longValueExact());
		return negative ? duration.negated() : duration;
	}

}

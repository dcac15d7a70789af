package io.github.litestream.boot.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Go's {@code time.ParseDuration}, as Litestream reads {@code litestream.yml}; the expected
 * values are Go's for the same strings.
 */
class GoDurationFormatTests {

	@Test
	void readsWhatGoReads() {
		assertThat(GoDurationFormat.parse("0")).isZero();
		assertThat(GoDurationFormat.parse("-0")).isZero();
		assertThat(GoDurationFormat.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
		assertThat(GoDurationFormat.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
		assertThat(GoDurationFormat.parse("2m3.25s")).isEqualTo(Duration.ofMillis(123_250));
		assertThat(GoDurationFormat.parse(".5s")).isEqualTo(Duration.ofMillis(500));
		assertThat(GoDurationFormat.parse("5.s")).isEqualTo(Duration.ofSeconds(5));
		assertThat(GoDurationFormat.parse("-1.5h")).isEqualTo(Duration.ofMinutes(-90));
		assertThat(GoDurationFormat.parse("+10s")).isEqualTo(Duration.ofSeconds(10));
		assertThat(GoDurationFormat.parse("1h2m3s4ms5us6ns")).isEqualTo(Duration.ofNanos(3_723_004_005_006L));
		assertThat(GoDurationFormat.parse("3\u00b5s")).isEqualTo(Duration.ofNanos(3_000));
		assertThat(GoDurationFormat.parse("3\u03bcs")).isEqualTo(Duration.ofNanos(3_000));
		assertThat(GoDurationFormat.parse("1.0000000001s")).as("below a nanosecond: cut")
			.isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void refusesWhatGoRefuses() {
		for (String text : new String[] { "", "-", "10", "h", "1d", "1y", "1 h", "1e3s", ".s", "1..5s", "1h30",
				"3000000h" }) {
			assertThat(GoDurationFormat.parse(text)).as(text).isNull();
		}
	}

}

package io.github.litestream.cli;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lag column prints durations as Go's {@code time.Duration.String()} does after
 * Litestream's truncation (the expected strings are what Go prints for these values).
 */
class GoDurationTests {

	@Test
	void formatsAsGoDoes() {
		assertThat(GoDuration.format(Duration.ZERO)).isEqualTo("0s");
		assertThat(GoDuration.format(Duration.ofNanos(999))).isEqualTo("999ns");
		assertThat(GoDuration.format(Duration.ofNanos(1_500))).isEqualTo("1µs");
		assertThat(GoDuration.format(Duration.ofNanos(2_345_678))).isEqualTo("2ms");
		assertThat(GoDuration.format(Duration.ofMillis(1_234))).isEqualTo("1.2s");
		assertThat(GoDuration.format(Duration.ofMillis(12_345))).isEqualTo("12s");
		assertThat(GoDuration.format(Duration.ofSeconds(3_723))).isEqualTo("1h2m3s");
		assertThat(GoDuration.format(Duration.ofHours(1))).isEqualTo("1h0m0s");
		assertThat(GoDuration.format(Duration.ofSeconds(61))).isEqualTo("1m1s");
		assertThat(GoDuration.format(Duration.ofMillis(-1_500))).isEqualTo("-1.5s");
		assertThat(GoDuration.string(1_000_000_001L)).isEqualTo("1.000000001s");
		assertThat(GoDuration.string(1_500_000L)).isEqualTo("1.5ms");
	}

}

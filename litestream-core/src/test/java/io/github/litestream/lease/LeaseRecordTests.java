package io.github.litestream.lease;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The {@code lease.json} format: what is written reads back, any tool can read it, and
 * something else is rejected with a reason.
 */
class LeaseRecordTests {

	private static final Instant RENEWED = Instant.parse("2026-11-30T10:00:00Z");

	@Test
	void roundTripsIncludingAwkwardHostNames() {
		LeaseRecord record = new LeaseRecord(new LeaseHolder("id-1", "host \"a\"\\b\n", 1), 7, RENEWED,
				RENEWED.plusSeconds(10), Duration.ofSeconds(10), false);
		assertThat(LeaseRecord.parse(record.toJson())).isEqualTo(record);
	}

	@Test
	void isFlatJsonAnOperatorCanRead() {
		LeaseRecord record = new LeaseRecord(new LeaseHolder("id-1", "app-1", 1), 7, RENEWED, RENEWED.plusSeconds(10),
				Duration.ofSeconds(10), true);
		assertThat(new String(record.toJson(), StandardCharsets.UTF_8)).isEqualTo("{\"format\":1,\"instance\":\"id-1\","
				+ "\"host\":\"app-1\",\"pid\":1,\"epoch\":7,\"renewed-at\":\"2026-11-30T10:00:00Z\","
				+ "\"expires-at\":\"2026-11-30T10:00:10Z\",\"ttl-ms\":10000,\"released\":true}\n");
	}

	@Test
	void liveUntilExpiryUnlessReleased() {
		LeaseRecord record = new LeaseRecord(new LeaseHolder("id-1", "app-1", 1), 7, RENEWED, RENEWED.plusSeconds(10),
				Duration.ofSeconds(10), false);
		assertThat(record.isLiveAt(RENEWED.plusSeconds(9))).isTrue();
		assertThat(record.isLiveAt(RENEWED.plusSeconds(10))).isFalse();
	}

	@Test
	void somethingElseIsRejectedWithTheMissingField() {
		assertThatIllegalArgumentException().isThrownBy(() -> LeaseRecord.parse(bytes("{\"instance\":\"x\"}")))
			.withMessageContaining("'host'");
		assertThatIllegalArgumentException().isThrownBy(() -> LeaseRecord.parse(bytes("[1,2]")))
			.withMessageContaining("Not a flat JSON object");
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}

package io.github.litestream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.github.litestream.ReplicationTimeline.LossWindow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@link ReplicationTimeline} measures what a kill may lose: the steps the backend and the
 * machine made long count, a replica that stopped shipping gets nothing for it.
 */
class ReplicationTimelineTests {

	private static final Duration MONITOR = Duration.ofMillis(50);

	private static final Duration SYNC = Duration.ofMillis(200);

	@TempDir
	Path dir;

	@Test
	void allowsTheLastShippingStepAndTheStepInFlight() throws Exception {
		LossWindow window = window(10_000, """
				copy 8000 8010
				call 8020 write
				done 8020 8900 write
				idle 8950
				copy 9150 9160
				call 9170 write
				""");
		assertThat(window.lastShippingStep()).isEqualTo(Duration.ofMillis(950));
		assertThat(window.stepInFlight()).isEqualTo(Duration.ofMillis(850));
		assertThat(window.toMillis()).isEqualTo(250 + 950 + 850);
	}

	@Test
	void givesNothingForTheTimeSinceAReplicaStoppedShipping() throws Exception {
		LossWindow window = window(20_000, """
				copy 9000 9010
				call 9020 write
				done 9020 9100 write
				idle 9110
				copy 9310 9320
				idle 9330
				copy 19900 19910
				idle 19915
				""");
		assertThat(window.lastShippingStep()).isEqualTo(Duration.ofMillis(110));
		assertThat(window.stepInFlight()).isEqualTo(Duration.ofMillis(15));
		assertThat(window.toMillis()).isLessThan(500);
	}

	@Test
	void givesNothingForAReplicaThatStoppedStepping() throws Exception {
		LossWindow window = window(20_000, """
				copy 9000 9010
				call 9020 write
				done 9020 9100 write
				idle 9110
				""");
		assertThat(window.toMillis()).isEqualTo(250 + 110);
	}

	@Test
	void aFailedUploadShipsNothing() throws Exception {
		LossWindow window = window(10_000, """
				copy 8000 8010
				call 8020 write
				done 8020 8100 write
				idle 8110
				copy 8310 8320
				call 8330 write
				done 8330 9500 failed
				idle 9510
				""");
		assertThat(window.lastShippingStep()).isEqualTo(Duration.ofMillis(110));
		assertThat(window.stepInFlight()).isEqualTo(Duration.ofMillis(1200));
	}

	@Test
	void countsHowLateTheChildWokeSinceTheLastShippingStep() throws Exception {
		LossWindow window = window(10_000, """
				late 7000 900
				copy 9000 9010
				call 9020 write
				done 9020 9100 write
				late 9500 120
				idle 9600
				""");
		assertThat(window.lateWakeUps()).isEqualTo(Duration.ofMillis(240));
	}

	@Test
	void aStepWhoseEndTheHeartbeatMissedEndedBeforeTheNextWait() throws Exception {
		LossWindow window = window(10_000, """
				copy 9000 9010
				call 9020 write
				done 9020 9100 write
				copy 9400 9410
				call 9420 write
				""");
		assertThat(window.lastShippingStep()).isEqualTo(Duration.ofMillis(200));
		assertThat(window.stepInFlight()).isEqualTo(Duration.ofMillis(600));
	}

	private LossWindow window(long killedAt, String log) throws Exception {
		Path file = Files.writeString(this.dir.resolve("timeline.log"), log);
		return ReplicationTimeline.read(file).lossWindow(killedAt, MONITOR, SYNC);
	}

}

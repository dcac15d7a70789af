package io.github.litestream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.github.litestream.StandbyScenario.Result;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link Standby} on a file replica: it follows a primary and takes over after the primary's
 * SIGTERM (nothing lost), after its SIGKILL (everything that reached the replica kept, and not
 * before the killed primary's lease expired) and after a close in this JVM; each time the new primary continues
 * the generation with the next epoch of the lease, and the replica, laid out as the stock Litestream CLI reads it,
 * restores to the last commit with our restore and as the stock CLI does.
 */
class StandbyTests {

	@TempDir
	Path dir;

	@Test
	void takesOverAfterSigtermOfChildPrimaryWithNothingLost() throws Exception {
		Path replica = Files.createDirectories(this.dir.resolve("replica"));
		Result result = scenario(replica).childPrimary(GracefulWriter.class, replica.toString(), List.of(), Map.of(),
				false, () -> new FileReplicaClient(replica));
		assertThat(result.keptState()).isPositive();
		System.out.println("Standby took over " + result + " after the primary's signal");
	}

	@Test
	void takesOverAfterSigkillOfChildPrimaryOnceTheLeaseLapsed() throws Exception {
		Path replica = Files.createDirectories(this.dir.resolve("replica"));
		Result result = scenario(replica).childPrimary(GracefulWriter.class, replica.toString(), List.of(), Map.of(),
				true, () -> new FileReplicaClient(replica));
		assertThat(result.keptState()).isPositive();
		System.out.println("Standby took over " + result + " after the primary's signal");
	}

	@Test
	void takesOverAfterCloseOfPrimaryInThisJvm() throws Exception {
		Path replica = Files.createDirectories(this.dir.resolve("replica"));
		Result result = scenario(replica).primaryClosedInJvm(() -> new FileReplicaClient(replica));
		assertThat(result.keptState()).isGreaterThan(300);
	}

	private StandbyScenario scenario(Path replica) {
		return new StandbyScenario(this.dir, ReplicaObjects.directory(replica));
	}

}

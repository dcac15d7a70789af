package io.github.litestream.lease;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fence reason of a file replica whose directory became something else (a mount point
 * replaced, a path typed wrong) says what is wrong, not only which path.
 */
class LeaseFenceReasonTests {

	private static final LeaseOptions SHORT = new LeaseOptions(true, Duration.ofMillis(600));

	@TempDir
	Path temp;

	@Test
	void aRenewalThatFailsOnAFileWhereTheReplicaDirectoryWasSaysSo() throws IOException {
		Path root = this.temp.resolve("replica");
		ReplicaLease lease = lease(root);
		lease.acquire();
		replaceWithFile(root);
		assertThat(lease.renew()).isEqualTo(LeaseRole.FENCED);
		assertThat(lease.status().fencedReason())
			.isEqualTo("the lease could not be renewed: " + root + ": not a directory");
	}

	@Test
	void aLeaseThatCannotBeTakenAtStartForTheSameReasonSaysSo() throws IOException {
		Path root = this.temp.resolve("replica");
		Files.writeString(root, "not a directory");
		ReplicaLease lease = lease(root);
		lease.acquireAtStart();
		assertThat(lease.status().role()).isEqualTo(LeaseRole.FENCED);
		assertThat(lease.status().fencedReason()).endsWith(root + ": not a directory");
	}

	private static ReplicaLease lease(Path root) {
		ConditionalObjects objects = new FileReplicaClient(root).conditionalObjects().orElseThrow();
		return new ReplicaLease("file", root.toString(), objects, SHORT, LeaseHolder.newInstance(), Clock.systemUTC());
	}

	private static void replaceWithFile(Path root) throws IOException {
		try (var entries = Files.list(root)) {
			for (Path entry : entries.toList()) {
				Files.delete(entry);
			}
		}
		Files.delete(root);
		Files.writeString(root, "not a directory");
	}

}

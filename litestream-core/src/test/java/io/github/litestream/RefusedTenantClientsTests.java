package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The replica clients a directory makes for a tenant whose registration is refused are closed:
 * a scan tries a refused file again whenever it changes, and with clients that hold
 * connections (S3, SFTP) each attempt would otherwise leave some open.
 */
class RefusedTenantClientsTests {

	private static final Duration FAST = Duration.ofMillis(50);

	@TempDir
	Path dir;

	private Path tenants;

	@RegisterExtension
	final RunningEngine running = new RunningEngine();

	/** Every client the directory made, and whether it was closed. */
	private final Map<ReplicationTarget, Boolean> made = new ConcurrentHashMap<>();

	@BeforeEach
	void start() throws Exception {
		this.tenants = Files.createDirectories(this.dir.resolve("tenants"));
	}

	@Test
	void aFileThatIsNoDatabaseLeavesNoClientOpenWhenScannedOrAdded() throws Exception {
		Path broken = this.tenants.resolve("broken.db");
		Files.writeString(broken, "this is not a SQLite database, just text");
		try (DirectoryReplication directory = directory()) {
			directory.scan();
			assertThat(directory.databases()).isEmpty();
			Files.writeString(broken, "still not a database, but longer: the scan tries it again");
			directory.scan();
			assertThatIOException().isThrownBy(() -> directory.add(broken));
		}
		assertThat(this.made).as("clients made, and whether closed").hasSize(3).doesNotContainValue(false);
	}

	@Test
	void aTenantWhoseReplicaLocationIsTakenLeavesNoClientOpen() throws Exception {
		Path a = this.tenants.resolve("a.db");
		Path other = this.dir.resolve("other.db");
		try (AppDatabase app = new AppDatabase(a); AppDatabase otherApp = new AppDatabase(other);
				DirectoryReplication directory = directory()) {
			app.insert(1);
			otherApp.insert(1);
			this.running.registry().register(DatabaseOptions.defaults(other).withMonitorInterval(FAST),
					List.of(new ReplicationTarget(new FileReplicaClient(replica("a.db")), ReplicaOptions.defaults("file"))));
			assertThatIllegalStateException().isThrownBy(() -> directory.add(a))
				.withMessageContaining("already a replica of " + other);
			directory.scan();
			assertThat(directory.databases()).isEmpty();
		}
		assertThat(this.made).as("clients made, and whether closed").hasSize(2).doesNotContainValue(false);
	}

	private DirectoryReplication directory() {
		return new DirectoryReplication(this.running.registry(), this.tenants, "*.db", false,
				DatabaseOptions.defaults(this.tenants.resolve("template.db")).withMonitorInterval(FAST), (relative) -> {
					ReplicationTarget[] target = new ReplicationTarget[1];
					target[0] = new ReplicationTarget(new ForwardingReplicaClient(new FileReplicaClient(replica(relative))) {

						@Override
						public void close() throws IOException {
							RefusedTenantClientsTests.this.made.put(target[0], true);
							super.close();
						}

					}, ReplicaOptions.defaults("file").withSyncInterval(FAST));
					this.made.put(target[0], false);
					return List.of(target[0]);
				});
	}

	private Path replica(String relative) {
		return this.dir.resolve("replica").resolve(relative);
	}

}

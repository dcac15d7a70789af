package io.github.litestream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A tenant of a replicated directory whose store stalls while it is registered (its restore
 * listing the replica, its replica client connecting) holds up that tenant only: the directory's
 * other tenants are found by scans, added on demand and deleted meanwhile, and the stalled one
 * is registered once, when its store answers. Real SQLite files and file replicas; the stall is
 * a latch, not a delay.
 */
class StalledTenantDirectoryTests {

	private static final Duration FAST = Duration.ofMillis(50);

	@TempDir
	Path dir;

	private Path tenants;

	@RegisterExtension
	final RunningEngine running = new RunningEngine();

	private final CountDownLatch stalled = new CountDownLatch(1);

	private final CountDownLatch proceed = new CountDownLatch(1);

	@BeforeEach
	void start() throws Exception {
		this.tenants = Files.createDirectories(this.dir.resolve("tenants"));
	}

	@AfterEach
	void close() throws Exception {
		this.proceed.countDown();
	}

	@Test
	void aTenantWhoseRestoreStallsHoldsUpNoOtherTenantOfItsDirectory() throws Exception {
		try (DirectoryReplication directory = directory((relative) -> {
		}, "slow.db"); AutoCloseable unstall = this.proceed::countDown) {
			app("leaving.db").insert(3);
			directory.add(this.tenants.resolve("leaving.db"));
			Future<ReplicatedDatabase> slow = this.running.caller()
				.submit(() -> directory.add(this.tenants.resolve("slow.db")));
			assertThat(this.stalled.await(1, TimeUnit.MINUTES)).isTrue();
			app("found.db").insert(2);
			Future<?> scan = this.running.caller().submit(() -> {
				directory.scan();
				return null;
			});
			await().atMost(Duration.ofSeconds(30)).until(scan::isDone);
			scan.get();
			Future<ReplicatedDatabase> onDemand = this.running.caller()
				.submit(() -> directory.add(this.tenants.resolve("on-demand.db")));
			await().atMost(Duration.ofSeconds(30)).until(onDemand::isDone);
			assertThat(onDemand.get().path()).isEqualTo(this.tenants.resolve("on-demand.db").toAbsolutePath());
			this.running.apps().remove(0).close();
			Future<?> delete = this.running.caller().submit(() -> {
				directory.delete(this.tenants.resolve("leaving.db"), Duration.ofSeconds(30), Backups.KEEP);
				return null;
			});
			await().atMost(Duration.ofSeconds(30)).until(delete::isDone);
			delete.get();
			assertThat(directory.databases()).containsExactly("found.db", "on-demand.db");
			assertThat(slow).as("its restore still waits for its store").isNotDone();
			this.proceed.countDown();
			assertThat(slow.get(1, TimeUnit.MINUTES).path()).isEqualTo(this.tenants.resolve("slow.db").toAbsolutePath());
			assertThat(directory.databases()).containsExactly("found.db", "on-demand.db", "slow.db");
		}
	}

	@Test
	void aTenantWhoseClientStallsHoldsUpNeitherTheScansNorIsRegisteredTwice() throws Exception {
		// Making a replica client may wait for its store (an SFTP connection, until its timeout).
		try (DirectoryReplication directory = directory((relative) -> {
			if (relative.equals("slow.db")) {
				stall();
			}
		}, null); AutoCloseable unstall = this.proceed::countDown) {
			directory.start();
			app("slow.db").insert(2);
			assertThat(this.stalled.await(1, TimeUnit.MINUTES)).isTrue();
			app("found.db").insert(2);
			await().atMost(Duration.ofSeconds(30)).until(() -> directory.databases().contains("found.db"));
			Future<ReplicatedDatabase> onDemand = this.running.caller()
				.submit(() -> directory.add(this.tenants.resolve("slow.db")));
			assertThat(onDemand).as("waits for the scan's registration of it").isNotDone();
			assertThat(directory.databases()).containsExactly("found.db");
			this.proceed.countDown();
			ReplicatedDatabase slow = onDemand.get(1, TimeUnit.MINUTES);
			assertThat(this.running.registry().find(this.tenants.resolve("slow.db"))).containsSame(slow);
			assertThat(directory.databases()).containsExactly("found.db", "slow.db");
		}
	}

	private void stall() throws InterruptedIOException {
		this.stalled.countDown();
		try {
			this.proceed.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while the store stalled");
		}
	}

	/**
	 * A directory of {@code *.db} tenants, each with a file replica of its own.
	 * @param connecting runs as a tenant's replica client is made
	 * @param stalledListing the tenant whose replica's listing of generations stalls, or {@code null}
	 */
	private DirectoryReplication directory(Connecting connecting, String stalledListing) {
		Path replica = this.dir.resolve("replica");
		return new DirectoryReplication(this.running.registry(), this.tenants, "*.db", false,
				DatabaseOptions.defaults(this.tenants.resolve("template.db")).withMonitorInterval(FAST), (relative) -> {
					connecting.connect(relative);
					ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(replica.resolve(relative))) {

						@Override
						public List<String> generations() throws IOException {
							if (relative.equals(stalledListing)) {
								stall();
							}
							return super.generations();
						}

					};
					return List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file").withSyncInterval(FAST)));
				});
	}

	private AppDatabase app(String relative) throws Exception {
		return this.running.app(this.tenants.resolve(relative));
	}

	@FunctionalInterface
	private interface Connecting {

		void connect(String relative) throws IOException;

	}

}

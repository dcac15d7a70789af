package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import javax.sql.DataSource;

import io.github.litestream.DatabaseRegistry.Backups;
import io.github.litestream.Litestream;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A tenant readied by {@link LitestreamTenants#dataSource(Path)} is restored (or found without a
 * backup) through the clients the engine replicates it through, counted on a real file replica:
 * one client per replica, and a new tenant lists its replica's generations once, for the look
 * for a backup, which also tells retention's first pass that there is nothing else to delete.
 * A second client would connect again and list again: on a remote store, paid and slow requests
 * for every tenant.
 */
class TenantRequestCountTests {

	/** Every client made, with the replica directory it reads, and its requests. */
	static final List<Counted> clients = Collections.synchronizedList(new ArrayList<>());

	@TempDir
	Path dir;

	@Test
	void aNewTenantListsItsReplicasGenerationsOnceThroughOneClient() throws Exception {
		clients.clear();
		Path tenants = Files.createDirectories(this.dir.resolve("tenants"));
		Path replica = this.dir.resolve("replica");
		runner(tenants, replica).run((context) -> {
			assertThat(context).hasNotFailed();
			Path file = tenants.resolve("fresh.db");
			writeAndAwaitReplicated(context, file, 3);
			List<Counted> ofTenant = clientsOf(replica.resolve("fresh.db"));
			assertThat(listings(ofTenant)).as("the tenant's listings, by every client made for it")
				.isEqualTo(Map.of("LIST generations", 1L));
			assertThat(ofTenant).as("clients made for the tenant").hasSize(1);
		});
	}

	@Test
	void aTenantRestoredOnDemandIsReadThroughTheEnginesClient() throws Exception {
		clients.clear();
		Path tenants = Files.createDirectories(this.dir.resolve("tenants"));
		Path replica = this.dir.resolve("replica");
		runner(tenants, replica).run((context) -> {
			assertThat(context).hasNotFailed();
			Path file = tenants.resolve("kept.db");
			writeAndAwaitReplicated(context, file, 3);
			context.getBean(LitestreamTenants.class).delete(file, Backups.KEEP);
			clients.clear();
			JdbcTemplate restored = new JdbcTemplate(context.getBean(LitestreamTenants.class).dataSource(file));
			assertThat(restored.queryForObject("SELECT count(*) FROM item", Long.class)).isEqualTo(3);
			List<Counted> ofTenant = clientsOf(replica.resolve("kept.db"));
			assertThat(ofTenant).as("clients made for the restored tenant").hasSize(1);
			assertThat(ofTenant.get(0).requests).as("the restore's reads, through the engine's client")
				.contains("GET snapshot");
		});
	}

	private ApplicationContextRunner runner(Path tenants, Path replica) {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class))
			.withUserConfiguration(CountingBackend.class)
			.withPropertyValues("litestream.dbs[0].dir=" + tenants, "litestream.dbs[0].monitor-interval=50ms",
					"litestream.dbs[0].replicas[0].type=counting", "litestream.dbs[0].replicas[0].path=" + replica,
					"litestream.dbs[0].replicas[0].sync-interval=50ms");
	}

	/** Creates the tenant with a few rows, and waits until its replica has them, its steps ended. */
	private static void writeAndAwaitReplicated(AssertableApplicationContext context, Path file, int rows)
			throws Exception {
		DataSource dataSource = context.getBean(LitestreamTenants.class).dataSource(file);
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.execute("CREATE TABLE item (n INTEGER)");
		for (int i = 0; i < rows; i++) {
			jdbc.update("INSERT INTO item VALUES (?)", i);
		}
		Litestream engine = context.getBean(Litestream.class);
		ReplicatedDatabase database = engine.database(file).orElseThrow();
		Replica replica = engine.replicas(database).get(0);
		Optional<Pos> committed = engine.commitPosition(database);
		await().atMost(Duration.ofMinutes(1)).until(() -> replica.position().equals(committed));
		// The step that got there has ended, retention's first pass included: one step at a time.
		engine.syncNow(replica).get();
	}

	private static List<Counted> clientsOf(Path root) {
		synchronized (clients) {
			return clients.stream().filter((client) -> client.root.equals(root)).toList();
		}
	}

	private static Map<String, Long> listings(List<Counted> made) {
		Map<String, Long> listings = new TreeMap<>();
		for (Counted client : made) {
			List<String> requests;
			synchronized (client.requests) {
				requests = List.copyOf(client.requests);
			}
			requests.stream()
				.filter((request) -> request.startsWith("LIST"))
				.forEach((request) -> listings.merge(request, 1L, Long::sum));
		}
		return listings;
	}

	/** A client made, the replica directory it reads and what it was asked, by kind. */
	record Counted(Path root, List<String> requests) {
	}

	/** A file replica that records every client made and its listings and reads. */
	@Configuration(proxyBeanMethods = false)
	static class CountingBackend {

		@Bean
		ReplicaClientProvider countingReplicaClientProvider() {
			return new ReplicaClientProvider() {

				@Override
				public String type() {
					return "counting";
				}

				@Override
				public Object configure(ReplicaEntry entry) {
					return Path.of(entry.path());
				}

				@Override
				public ReplicaClient create(ReplicaSettings settings, ReplicaOperationListener listener) {
					Path root = settings.backend(Path.class).toAbsolutePath().normalize();
					List<String> requests = Collections.synchronizedList(new ArrayList<>());
					clients.add(new Counted(root, requests));
					return new ForwardingReplicaClient(new FileReplicaClient(root, listener)) {

						@Override
						public List<String> generations() throws IOException {
							requests.add("LIST generations");
							return super.generations();
						}

						@Override
						public List<SnapshotInfo> snapshots(String generation) throws IOException {
							requests.add("LIST snapshots");
							return super.snapshots(generation);
						}

						@Override
						public List<WalSegmentInfo> walSegments(String generation) throws IOException {
							requests.add("LIST wal");
							return super.walSegments(generation);
						}

						@Override
						public InputStream openSnapshot(String generation, long index) throws IOException {
							requests.add("GET snapshot");
							return super.openSnapshot(generation, index);
						}

						@Override
						public String type() {
							return "counting";
						}

					};
				}

			};
		}

	}

}

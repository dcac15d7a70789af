package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restore-on-boot chooses the replica with the newest backup and restores from it as one
 * operation: one client per replica, each listing its replica once. On a remote store the
 * WAL's listing takes a request per thousand segments and a cold client's first connection
 * tens of milliseconds, all before the application starts. A leased database's replicas are
 * read through the client their lease is kept through, taken first: one client, not two.
 */
class RestoreOnBootRequestsTests {

	/** The requests of every client restore-on-boot made (its leases' included), one list per client. */
	static final List<List<String>> restoreClients = Collections.synchronizedList(new ArrayList<>());

	@TempDir
	Path dir;

	@Test
	void aLeasedDatabaseIsLeasedChosenAndRestoredWithOneClientListingTheReplicaOnce() throws Exception {
		assertRestoredWithOneClient("litestream.dbs[0].lease.enabled=true");
	}

	@Test
	void anUnleasedDatabaseIsChosenAndRestoredWithOneClientListingTheReplicaOnce() throws Exception {
		assertRestoredWithOneClient("litestream.dbs[0].lease.enabled=false");
	}

	private void assertRestoredWithOneClient(String lease) throws Exception {
		restoreClients.clear();
		Path replica = Fixture.copyReplica(this.dir.resolve("replica"));
		Path db = this.dir.resolve("data/app.db");
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class))
			.withUserConfiguration(CountingBackend.class)
			.withPropertyValues("litestream.dbs[0].path=" + db, "litestream.dbs[0].replicas[0].type=counting",
					"litestream.dbs[0].replicas[0].path=" + replica, lease)
			.run((context) -> assertThat(context).hasNotFailed());
		Fixture.Expected latest = Fixture.expected().stream().filter((row) -> row.index() == null).findFirst()
			.orElseThrow();
		assertThat(rowsOfT(db)).containsExactly(latest.count(), latest.maxSeq(), latest.sumSeq());
		assertThat(restoreClients).as("clients restore-on-boot made").hasSize(1);
		assertThat(restoreClients.get(0)).as("the requests of restore-on-boot")
			.containsOnlyOnce("LIST generations", "LIST wal " + Fixture.GENERATION);
	}

	private static List<Long> rowsOfT(Path db) throws Exception {
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT count(*), max(seq), sum(seq) FROM t")) {
			result.next();
			return List.of(result.getLong(1), result.getLong(2), result.getLong(3));
		}
	}

	/** A directory replica that records the listings of the clients restore-on-boot makes. */
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
					ReplicaClient file = new FileReplicaClient(settings.backend(Path.class), listener);
					// Restore-on-boot's clients, its leases' included (taken first, kept for the engine);
					// not the engine's own.
					List<String> callers = StackWalker.getInstance()
						.walk((frames) -> frames.map(StackWalker.StackFrame::getClassName).toList());
					boolean restoring = callers.stream().anyMatch((caller) -> caller.endsWith(".DatabaseRestorer"));
					if (!restoring) {
						return file;
					}
					List<String> requests = Collections.synchronizedList(new ArrayList<>());
					restoreClients.add(requests);
					return new ForwardingReplicaClient(file) {

						@Override
						public List<String> generations() throws IOException {
							requests.add("LIST generations");
							return super.generations();
						}

						@Override
						public List<SnapshotInfo> snapshots(String generation) throws IOException {
							requests.add("LIST snapshots " + generation);
							return super.snapshots(generation);
						}

						@Override
						public List<WalSegmentInfo> walSegments(String generation) throws IOException {
							requests.add("LIST wal " + generation);
							return super.walSegments(generation);
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

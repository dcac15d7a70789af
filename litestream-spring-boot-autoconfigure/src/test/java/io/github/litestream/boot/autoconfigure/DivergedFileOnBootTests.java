package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.github.litestream.Litestream;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.lease.LeaseHolder;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * An instance restarted on a database file that another instance's replication left behind
 * (it held the lease and wrote since the file was last replicated): the file is set aside,
 * never deleted, and the replica's newest state restored before anything opens it; without
 * restore-on-boot, startup fails naming the file. The ordinary restart of the instance that
 * held the lease last keeps its file and continues its generation. When the store does not
 * answer at boot, the file is compared once it does, before any upload: a stale one is never
 * replicated.
 */
@ExtendWith(OutputCaptureExtension.class)
class DivergedFileOnBootTests {

	@TempDir
	Path dir;

	@Test
	void aFileAnotherInstanceWrotePastIsSetAsideAndTheNewestReplicatedStateRestored(CapturedOutput output)
			throws Exception {
		List<Map<String, Object>> firstState;
		try (ConfigurableApplicationContext first = run("first")) {
			ReplicationTestApplication.writeRows(first.getBean(DataSource.class), 10);
			firstState = rows(first.getBean(DataSource.class));
		}
		List<Map<String, Object>> newest;
		try (ConfigurableApplicationContext second = run("second")) {
			ReplicationTestApplication.writeRows(second.getBean(DataSource.class), 5);
			newest = rows(second.getBean(DataSource.class));
		}
		String generation = new FileReplicaClient(replica()).generations().get(0);

		try (ConfigurableApplicationContext restarted = run("first")) {
			assertThat(rows(restarted.getBean(DataSource.class))).as("the newest replicated state").isEqualTo(newest);
		}
		List<Path> aside = setAside("first");
		assertThat(aside).as("the stale file, kept").hasSize(1);
		assertThat(rows(sqlite(aside.get(0)))).as("with its content").isEqualTo(firstState);
		assertThat(output).containsPattern("WARN .*" + this.dir.resolve("first").resolve("app.db")
				+ " is stale: another instance held the lease of replica 'file'")
			.contains(aside.get(0).toString())
			.contains("generation " + generation);
	}

	@Test
	void theInstanceThatHeldTheLeaseLastKeepsItsFileAndGeneration() throws Exception {
		try (ConfigurableApplicationContext first = run("first")) {
			ReplicationTestApplication.writeRows(first.getBean(DataSource.class), 10);
		}
		List<String> generations = new FileReplicaClient(replica()).generations();
		List<Map<String, Object>> last;
		try (ConfigurableApplicationContext restarted = run("first")) {
			ReplicationTestApplication.writeRows(restarted.getBean(DataSource.class), 3);
			last = rows(restarted.getBean(DataSource.class));
		}
		assertThat(last).hasSize(13);
		assertThat(setAside("first")).isEmpty();
		assertThat(new FileReplicaClient(replica()).generations()).as("its generation continued")
			.isEqualTo(generations);
	}

	@Test
	void aFileWithoutLocalStateAfterAnotherInstanceHeldTheLeaseCountsAsStale() throws Exception {
		try (ConfigurableApplicationContext first = run("first")) {
			ReplicationTestApplication.writeRows(first.getBean(DataSource.class), 10);
		}
		List<Map<String, Object>> newest;
		try (ConfigurableApplicationContext second = run("second")) {
			ReplicationTestApplication.writeRows(second.getBean(DataSource.class), 5);
			newest = rows(second.getBean(DataSource.class));
		}
		// Where the file stands is unknown without it.
		FileSystemUtils.deleteRecursively(this.dir.resolve("first").resolve(".app.db-litestream"));
		try (ConfigurableApplicationContext restarted = run("first")) {
			assertThat(rows(restarted.getBean(DataSource.class))).isEqualTo(newest);
		}
		assertThat(setAside("first")).hasSize(1);
	}

	@Test
	void aStoreThatDoesNotAnswerDoesNotStopTheApplicationOnItsOwnFile(CapturedOutput output) throws Exception {
		List<Map<String, Object>> last;
		try (ConfigurableApplicationContext first = run("first")) {
			ReplicationTestApplication.writeRows(first.getBean(DataSource.class), 10);
			last = rows(first.getBean(DataSource.class));
		}
		Files.move(replica(), this.dir.resolve("replica.moved"));
		Files.writeString(replica(), "not a directory");
		try (ConfigurableApplicationContext restarted = run("first")) {
			assertThat(rows(restarted.getBean(DataSource.class))).isEqualTo(last);
		}
		assertThat(setAside("first")).isEmpty();
		assertThat(output).containsPattern("WARN .*app.db could not be compared with replica 'file'");
	}

	@Test
	void aStaleFileWhoseStoreDidNotAnswerAtBootIsNeverReplicatedOnceItDoes(CapturedOutput output) throws Exception {
		try (ConfigurableApplicationContext first = run("first")) {
			ReplicationTestApplication.writeRows(first.getBean(DataSource.class), 10);
		}
		List<Map<String, Object>> newest;
		try (ConfigurableApplicationContext second = run("second")) {
			ReplicationTestApplication.writeRows(second.getBean(DataSource.class), 5);
			newest = rows(second.getBean(DataSource.class));
		}
		Map<String, Long> replicated = objects();
		// The replica's path leads to a regular file until the store "answers" again.
		Path store = Files.move(replica(), this.dir.resolve("replica.store"));
		Files.createSymbolicLink(replica(), Files.writeString(this.dir.resolve("blocked"), "not a directory"));
		Path file = this.dir.resolve("first").resolve("app.db");
		try (ConfigurableApplicationContext restarted = run("first", "litestream.dbs[0].lease.ttl=3s")) {
			ReplicationTestApplication.writeRows(restarted.getBean(DataSource.class), 3);
			Path link = Files.createSymbolicLink(this.dir.resolve("replica.link"), store);
			Files.move(link, replica(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

			Litestream litestream = restarted.getBean(Litestream.class);
			ReplicatedDatabase database = litestream.databases().get(0);
			// Leased once the store answers; before the fix, the file was then replicated.
			await().atMost(Duration.ofSeconds(60))
				.ignoreExceptions()
				.until(() -> storedLeaseHolder().equals(litestream.leaseHolder()));
			await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30)).until(() -> objects().equals(replicated));
			assertThat(litestream.staleFile(database)).isPresent();
			assertThat(output).containsPattern("WARN .*app.db could not be compared with replica 'file'")
				.containsPattern("ERROR .*" + file + " is stale: another instance held the lease of replica 'file'")
				.contains("restore-on-boot enabled");
		}
		assertThat(objects()).as("nothing uploaded, not even at shutdown").isEqualTo(replicated);
		assertThat(rows(sqlite(file))).as("the file, left as it is").hasSize(13);
		assertThat(setAside("first")).isEmpty();
		Path restored = this.dir.resolve("restored.db");
		new Restorer().restore(new FileReplicaClient(replica()), RestoreOptions.latest(restored));
		assertThat(rows(sqlite(restored))).as("the replica restores the newest state").isEqualTo(newest);
	}

	private LeaseHolder storedLeaseHolder() throws IOException {
		ConditionalObjects objects = new FileReplicaClient(replica()).conditionalObjects().orElseThrow();
		return LeaseRecord.parse(objects.read(ReplicaLease.OBJECT).orElseThrow().content()).holder();
	}

	/** Every object under the replica's generations, with its size. */
	private Map<String, Long> objects() throws IOException {
		Map<String, Long> objects = new TreeMap<>();
		try (Stream<Path> files = Files.walk(replica().resolve("generations"))) {
			for (Path object : files.filter(Files::isRegularFile).toList()) {
				objects.put(replica().resolve("generations").relativize(object).toString(), Files.size(object));
			}
		}
		return objects;
	}

	@Test
	void withoutRestoreOnBootAStaleFileFailsStartupNamingTheFileAndTheFix() throws Exception {
		try (ConfigurableApplicationContext first = run("first")) {
			ReplicationTestApplication.writeRows(first.getBean(DataSource.class), 10);
		}
		try (ConfigurableApplicationContext second = run("second")) {
			ReplicationTestApplication.writeRows(second.getBean(DataSource.class), 5);
		}
		Path file = this.dir.resolve("first").resolve("app.db");
		long size = Files.size(file);
		Throwable failed = catchThrowable(() -> run("first", "litestream.dbs[0].restore.enabled=false").close());
		assertThat(failed).hasRootCauseInstanceOf(LitestreamConfigurationException.class);
		assertThat(failed.getCause() != null ? rootCause(failed).getMessage() : failed.getMessage())
			.contains(file.toString())
			.contains("replica 'file' (" + replica())
			.contains("litestream.dbs[0].restore.enabled");
		assertThat(file).as("left in place").hasSize(size);
		assertThat(setAside("first")).isEmpty();
	}

	private static Throwable rootCause(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	private List<Path> setAside(String instance) throws IOException {
		try (Stream<Path> files = Files.list(this.dir.resolve(instance))) {
			return files.filter((file) -> file.getFileName().toString().matches("\\.app\\.db-diverged-\\d{8}T\\d{6}Z"))
				.toList();
		}
	}

	private static DataSource sqlite(Path file) {
		SQLiteDataSource dataSource = new SQLiteDataSource();
		dataSource.setUrl("jdbc:sqlite:" + file);
		return dataSource;
	}

	private Path replica() {
		return this.dir.resolve("replica");
	}

	private ConfigurableApplicationContext run(String instance, String... more) {
		return new SpringApplicationBuilder(ReplicationTestApplication.class).web(WebApplicationType.NONE)
			.properties("litestream.dbs[0].replicas[0].path=" + replica(),
					"spring.datasource.url=jdbc:sqlite:" + this.dir.resolve(instance).resolve("app.db"))
			.properties(more)
			.run();
	}

	private static List<Map<String, Object>> rows(DataSource dataSource) {
		return new JdbcTemplate(dataSource).queryForList("SELECT id, text FROM item ORDER BY id");
	}

}

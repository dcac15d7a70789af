package io.github.litestream.boot.autoconfigure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM, as a container runtime sends it, makes Spring Boot close the context; Litestream's
 * lifecycle then ships the last committed transactions before the pool closes. The child
 * application uses hour-long monitor and sync intervals, so only that shutdown flush can
 * have put its last row in the replica.
 */
class ShutdownFlushTests {

	@TempDir
	Path dir;

	@Test
	void sigtermFlushesTheLastCommittedRowToTheReplica() throws Exception {
		Assumptions.assumeTrue(!System.getProperty("os.name").toLowerCase().contains("win"),
				"Process.destroy() sends SIGTERM only on Unix-like systems");
		Path db = this.dir.resolve("app.db");
		Path replica = this.dir.resolve("replica");
		Process child = new ProcessBuilder(command(db, replica)).redirectErrorStream(true).start();
		List<String> output = new ArrayList<>();
		CompletableFuture<Long> committed = CompletableFuture.supplyAsync(() -> readCommitted(child, output));
		long last;
		try {
			last = committed.get(2, TimeUnit.MINUTES);
		}
		catch (java.util.concurrent.TimeoutException ex) {
			synchronized (output) {
				throw new AssertionError("The child did not commit in time; output:\n" + String.join("\n", output), ex);
			}
		}
		finally {
			child.destroy(); // SIGTERM
		}
		assertThat(child.waitFor(2, TimeUnit.MINUTES)).as("child exited; output:%n%s", output).isTrue();
		Path restored = this.dir.resolve("restored.db");
		try (FileReplicaClient client = new FileReplicaClient(replica)) {
			assertThat(new Restorer().restore(client, RestoreOptions.latest(restored)).restored()).isTrue();
		}
		JdbcTemplate jdbc = new JdbcTemplate(new SimpleDriverDataSource(new org.sqlite.JDBC(), "jdbc:sqlite:" + restored));
		assertThat(jdbc.queryForObject("SELECT max(id) FROM item", Long.class)).as("output:%n%s", output)
			.isEqualTo(last);
	}

	private static List<String> command(Path db, Path replica) {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		return List.of(java, "-cp", System.getProperty("java.class.path"),
				ReplicationTestApplication.class.getName(), "500", "--spring.datasource.url=jdbc:sqlite:" + db,
				"--litestream.dbs[0].replicas[0].path=" + replica, "--litestream.dbs[0].monitor-interval=1h",
				"--litestream.dbs[0].replicas[0].sync-interval=1h", "--spring.main.banner-mode=off");
	}

	/**
	 * Reads the child's output until it reports its last committed id, then keeps draining
	 * it on a daemon thread so the child never blocks on a full pipe while shutting down.
	 */
	private static long readCommitted(Process child, List<String> output) {
		BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
		try {
			String line;
			while ((line = reader.readLine()) != null) {
				add(output, line);
				if (line.startsWith(ReplicationTestApplication.COMMITTED)) {
					Thread drain = new Thread(() -> drain(reader, output), "child-output");
					drain.setDaemon(true);
					drain.start();
					return Long.parseLong(line.substring(ReplicationTestApplication.COMMITTED.length()).trim());
				}
			}
			throw new IllegalStateException("The child exited before committing");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void drain(BufferedReader reader, List<String> output) {
		try (reader) {
			String line;
			while ((line = reader.readLine()) != null) {
				add(output, line);
			}
		}
		catch (IOException ex) {
			// the child is gone
		}
	}

	private static void add(List<String> output, String line) {
		synchronized (output) {
			output.add(line);
		}
	}

}

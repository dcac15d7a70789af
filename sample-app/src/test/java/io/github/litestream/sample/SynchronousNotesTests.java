package io.github.litestream.sample;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app with {@code --litestream.dbs[0].synchronous-replication=on} on its command
 * line, the rest from its own {@code application.yml}: {@code POST /notes} returns only once
 * the note is in the replica, though the replica's sync interval is 30 s.
 */
class SynchronousNotesTests {

	@TempDir
	Path dir;

	@Test
	void withSynchronousReplicationOnACreatedNoteIsInTheReplicaWhenThePostReturns() throws Exception {
		Path replica = this.dir.resolve("replica");
		try (ConfigurableApplicationContext app = start(replica, "--litestream.dbs[0].synchronous-replication=on")) {
			RestClient http = client(app);
			for (int i = 1; i <= 3; i++) {
				assertThat(post(http, "note " + i)).isEqualTo(HttpStatus.CREATED);
				assertThat(restoredTitles(replica, "on-" + i)).as("after POST %d", i).endsWith("note " + i).hasSize(i);
			}
		}
	}

	@Test
	void withoutItTheNoteReachesTheReplicaOnlyAtTheNextSync() throws Exception {
		Path replica = this.dir.resolve("replica");
		try (ConfigurableApplicationContext app = start(replica)) {
			RestClient http = client(app);
			Awaitility.await().until(() -> !new FileReplicaClient(replica).generations().isEmpty());
			assertThat(post(http, "not yet replicated")).isEqualTo(HttpStatus.CREATED);
			assertThat(restoredTitles(replica, "off")).as("the oracle: a 30 s sync interval has not passed").isEmpty();
		}
	}

	private ConfigurableApplicationContext start(Path replica, String... more) {
		List<String> args = new ArrayList<>(List.of("--server.port=0",
				"--spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("data/app.db"),
				"--litestream.dbs[0].monitor-interval=30s", "--litestream.dbs[0].replicas[0].path=" + replica,
				"--litestream.dbs[0].replicas[0].sync-interval=30s"));
		args.addAll(List.of(more));
		return SpringApplication.run(SampleApplication.class, args.toArray(String[]::new));
	}

	private static RestClient client(ConfigurableApplicationContext app) {
		int port = ((WebServerApplicationContext) app).getWebServer().getPort();
		return RestClient.builder().baseUrl("http://127.0.0.1:" + port).build();
	}

	private static HttpStatus post(RestClient http, String title) {
		return HttpStatus.valueOf(http.post()
			.uri("/notes")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("title", title, "body", ""))
			.retrieve()
			.toBodilessEntity()
			.getStatusCode()
			.value());
	}

	/** The titles of the notes a restore of the replica holds, in id order. */
	private List<String> restoredTitles(Path replica, String name) throws Exception {
		Path out = this.dir.resolve("restored-" + name + ".db");
		new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(out));
		List<String> titles = new ArrayList<>();
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out); Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT title FROM note ORDER BY id")) {
			while (rs.next()) {
				titles.add(rs.getString(1));
			}
		}
		return titles;
	}

}

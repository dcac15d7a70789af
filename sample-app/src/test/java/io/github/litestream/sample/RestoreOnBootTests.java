package io.github.litestream.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app's promise, end to end: notes written through the HTTP API survive the loss
 * of the database file, because the next start restores it from the file replica before
 * anything opens it.
 *
 * <p>The application is started with {@link SpringApplication} rather than
 * {@code @SpringBootTest}, because the test must stop it and start it again on the same
 * files, which a context cached by the test framework cannot do. Each start uses the app's
 * own {@code application.yml}; only the locations (a temporary directory) and the port are
 * overridden, as a user would on the command line.
 */
class RestoreOnBootTests {

	private static final ParameterizedTypeReference<List<Map<String, Object>>> NOTES = new ParameterizedTypeReference<>() {
	};

	@TempDir
	Path dir;

	@Test
	void notesWrittenThroughTheApiAreRestoredAfterTheDatabaseIsDeleted() throws Exception {
		Path db = this.dir.resolve("data/app.db");
		Path replica = this.dir.resolve("replica");
		List<Map<String, Object>> written;
		try (ConfigurableApplicationContext app = start(db, replica)) {
			RestClient http = client(app);
			for (int i = 1; i <= 20; i++) {
				createNote(http, "note " + i, "body of note " + i);
			}
			ResponseEntity<Void> deleted = http.delete().uri("/notes/{id}", 7).retrieve().toBodilessEntity();
			assertThat(deleted.getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);
			written = http.get().uri("/notes").retrieve().body(NOTES);
		}
		assertThat(written).hasSize(19);
		assertThat(replica.resolve("generations")).isDirectory();

		deleteDatabase(db);

		try (ConfigurableApplicationContext app = start(db, replica)) {
			assertThat(db).exists();
			RestClient http = client(app);
			assertThat(http.get().uri("/notes").retrieve().body(NOTES)).isEqualTo(written);
			assertThat(http.get().uri("/notes/{id}", 7).retrieve().toBodilessEntity())
				.extracting(ResponseEntity::getStatusCode)
				.isEqualTo(HttpStatus.NOT_FOUND);
			Map<String, Object> next = createNote(http, "after the restore", "");
			assertThat(((Number) next.get("id")).longValue()).isEqualTo(21);
		}
	}

	private ConfigurableApplicationContext start(Path db, Path replica) {
		return SpringApplication.run(SampleApplication.class, "--server.port=0",
				"--spring.datasource.url=jdbc:sqlite:" + db, "--litestream.dbs[0].replicas[0].path=" + replica);
	}

	private static RestClient client(ConfigurableApplicationContext app) {
		int port = ((WebServerApplicationContext) app).getWebServer().getPort();
		return RestClient.builder()
			.baseUrl("http://127.0.0.1:" + port)
			.defaultStatusHandler((status) -> status.value() == 404, (request, response) -> {
			})
			.build();
	}

	private static Map<String, Object> createNote(RestClient http, String title, String body) {
		ResponseEntity<Map<String, Object>> response = http.post()
			.uri("/notes")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("title", title, "body", body))
			.retrieve()
			.toEntity(new ParameterizedTypeReference<>() {
			});
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.CREATED);
		assertThat(response.getBody()).containsEntry("title", title);
		return response.getBody();
	}

	private static void deleteDatabase(Path db) throws Exception {
		for (String suffix : new String[] { "", "-wal", "-shm" }) {
			Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
		}
		assertThat(db).doesNotExist();
	}

}

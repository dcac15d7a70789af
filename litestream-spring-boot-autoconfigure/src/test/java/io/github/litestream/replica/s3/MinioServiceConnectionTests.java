package io.github.litestream.replica.s3;

import java.nio.file.Path;
import java.time.Duration;

import javax.sql.DataSource;

import io.github.litestream.Litestream;
import io.github.litestream.boot.autoconfigure.ReplicationTestApplication;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One annotation connects the application's S3 replicas to a MinIO container: no endpoint,
 * credentials or path-style in the configuration. Skipped (not failed) where Docker is not
 * available.
 */
@Testcontainers(disabledWithoutDocker = true)
@SpringBootTest(classes = ReplicationTestApplication.class)
class MinioServiceConnectionTests {

	@Container
	@ServiceConnection
	static final MinIOContainer minio = new MinIOContainer(MinioStore.IMAGE);

	@TempDir
	static Path dir;

	@DynamicPropertySource
	static void replicaInTheContainer(DynamicPropertyRegistry registry) {
		String bucket = new MinioStore(minio).createBucket();
		registry.add("spring.datasource.url", () -> "jdbc:sqlite:" + dir.resolve("data/app.db"));
		registry.add("litestream.dbs[0].replicas[0].url", () -> "s3://" + bucket + "/app");
		registry.add("litestream.dbs[0].replicas[0].sync-interval", () -> "100ms");
	}

	@Autowired
	DataSource dataSource;

	@Autowired
	Litestream litestream;

	@Test
	void replicatesToTheContainer() {
		JdbcTemplate jdbc = new JdbcTemplate(this.dataSource);
		jdbc.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
		for (int i = 0; i < 10; i++) {
			jdbc.update("INSERT INTO item (text) VALUES (?)", "row-" + i);
		}
		var database = this.litestream.databases().get(0);
		var replica = this.litestream.replicas(database).get(0);
		Awaitility.await()
			.atMost(Duration.ofMinutes(1))
			.untilAsserted(() -> assertThat(replica.position()).isPresent().isEqualTo(database.position()));
		assertThat(replica.status().lastError()).isNull();
	}

}

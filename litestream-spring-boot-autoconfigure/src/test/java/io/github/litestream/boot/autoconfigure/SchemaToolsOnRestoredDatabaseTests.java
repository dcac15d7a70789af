package io.github.litestream.boot.autoconfigure;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.sql.DataSource;

import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.file.FileReplicaClient;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Liquibase and Hibernate's {@code ddl-auto} only ever see the restored database, as Flyway
 * and {@code spring.sql.init} do in {@link RestoreOnBootTests}: each test restores a database
 * that the tool built earlier, and the tool carries on from its schema and data instead of
 * starting over on an empty file.
 */
class SchemaToolsOnRestoredDatabaseTests {

	@TempDir
	Path dir;

	@Test
	void liquibaseKeepsTheRestoredChangelogAndRunsOnlyThePendingChangeset() throws Exception {
		Path seed = this.dir.resolve("seed/seed.db");
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, LiquibaseAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + Files.createDirectories(seed.getParent())
					.resolve("seed.db"), "spring.liquibase.change-log=classpath:db/liquibase/changelog-v1.yaml")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				new JdbcTemplate(context.getBean(DataSource.class))
					.update("INSERT INTO note (text) VALUES ('written-after-changeset-1')");
			});
		String changeset1RanAt = jdbc(seed)
			.queryForObject("SELECT dateexecuted FROM databasechangelog WHERE id = '1'", String.class);
		Path replica = snapshotToReplica(seed);
		Path db = this.dir.resolve("data/app.db");
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, LiquibaseAutoConfiguration.class,
					LitestreamAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + db,
					"spring.liquibase.change-log=classpath:db/liquibase/changelog.yaml",
					"litestream.dbs[0].replicas[0].path=" + replica)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
				assertThat(jdbc.queryForList("SELECT text FROM note ORDER BY id", String.class))
					.containsExactly("from-changeset-1", "written-after-changeset-1", "from-changeset-2");
				assertThat(jdbc.queryForList("SELECT id FROM databasechangelog ORDER BY orderexecuted", String.class))
					.containsExactly("1", "2");
				assertThat(jdbc.queryForObject("SELECT dateexecuted FROM databasechangelog WHERE id = '1'",
						String.class))
					.as("changeset 1 kept its restored record")
					.isEqualTo(changeset1RanAt);
			});
	}

	@Test
	void hibernateDdlAutoUpdatesTheRestoredSchemaAndReadsItsRows() throws Exception {
		Path seed = Files.createDirectories(this.dir.resolve("seed")).resolve("seed.db");
		JdbcTemplate seedJdbc = jdbc(seed);
		seedJdbc.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
		seedJdbc.update("INSERT INTO note (text) VALUES ('restored-1'), ('restored-2')");
		Path replica = snapshotToReplica(seed);
		Path db = this.dir.resolve("data/app.db");
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					HibernateJpaAutoConfiguration.class, LitestreamAutoConfiguration.class))
			.withUserConfiguration(NoteEntities.class)
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + db, "spring.jpa.hibernate.ddl-auto=update",
					"spring.jpa.database-platform=org.hibernate.community.dialect.SQLiteDialect",
					"litestream.dbs[0].replicas[0].path=" + replica)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				EntityManager entityManager = context.getBean(EntityManagerFactory.class).createEntityManager();
				try {
					assertThat(entityManager.find(Note.class, 2L).text).isEqualTo("restored-2");
					entityManager.getTransaction().begin();
					Note note = new Note();
					note.text = "written-through-jpa";
					note.author = "hibernate";
					entityManager.persist(note);
					entityManager.getTransaction().commit();
					assertThat(note.id).as("the restored rows' ids are taken").isEqualTo(3L);
				}
				finally {
					entityManager.close();
				}
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
				assertThat(jdbc.queryForList("SELECT name FROM pragma_table_info('note')", String.class))
					.as("ddl-auto=update added the entity's new column to the restored table")
					.contains("author");
				assertThat(jdbc.queryForList("SELECT text FROM note ORDER BY id", String.class))
					.containsExactly("restored-1", "restored-2", "written-through-jpa");
			});
	}

	/**
	 * Stores the seed database in a file replica as a snapshot-only generation, laid out as
	 * Litestream does.
	 */
	private Path snapshotToReplica(Path seed) throws Exception {
		Path replica = this.dir.resolve("replica");
		ByteArrayOutputStream compressed = new ByteArrayOutputStream();
		try (OutputStream out = Lz4.compress(compressed)) {
			out.write(Files.readAllBytes(seed));
		}
		try (FileReplicaClient client = new FileReplicaClient(replica)) {
			client.writeSnapshot("0123456789abcdef", 0, new ByteArrayInputStream(compressed.toByteArray()));
		}
		return replica;
	}

	private static JdbcTemplate jdbc(Path db) {
		return new JdbcTemplate(new SimpleDriverDataSource(new org.sqlite.JDBC(), "jdbc:sqlite:" + db));
	}

	@Configuration(proxyBeanMethods = false)
	@EntityScan(basePackageClasses = Note.class)
	static class NoteEntities {

	}

	/** The restored table's row, with a column the restored schema does not have yet. */
	@Entity
	@Table(name = "note")
	public static class Note {

		@Id
		@GeneratedValue(strategy = GenerationType.IDENTITY)
		Long id;

		String text;

		String author;

	}

}

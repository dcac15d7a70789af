package io.github.litestream.boot.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code spring.main.lazy-initialization=true}, the entry without a path gets its file
 * from the SQLite DataSource all the same: the DataSource beans are created before replication
 * starts, so the file is restored before the engine (or anything else) opens it.
 */
class LazyInitializationRestoreOnBootTests {

	@TempDir
	Path dir;

	@Test
	void theEntryWithoutAPathReplicatesAndIsRestoredOnBootWithLazyInitialization() throws Exception {
		Path db = this.dir.resolve("data/app.db");
		Path replica = this.dir.resolve("replica");
		String[] properties = { "spring.datasource.url=jdbc:sqlite:" + db,
				"litestream.dbs[0].replicas[0].url=file://" + replica };
		List<Map<String, Object>> committed;
		try (ConfigurableApplicationContext context = run(properties)) {
			assertThat(context.getBean(LitestreamLifecycle.class).isRunning()).isTrue();
			DataSource dataSource = context.getBean(DataSource.class);
			ReplicationTestApplication.writeRows(dataSource, 50);
			committed = rows(dataSource);
		}
		assertThat(replica.resolve("generations")).isDirectory();
		loseTheDisk(db);
		try (ConfigurableApplicationContext context = run(properties)) {
			assertThat(context.getBean(LitestreamLifecycle.class).isRunning()).isTrue();
			DataSource dataSource = context.getBean(DataSource.class);
			assertThat(rows(dataSource)).hasSize(50).isEqualTo(committed);
			assertThat(new JdbcTemplate(dataSource).queryForObject("PRAGMA integrity_check", String.class))
				.isEqualTo("ok");
		}
	}

	@Test
	void aDataSourceStaysLazyWhenEveryEntryNamesItsFile() {
		Path db = this.dir.resolve("app.db");
		try (ConfigurableApplicationContext context = run("spring.datasource.url=jdbc:sqlite:" + db,
				"litestream.dbs[0].path=" + db, "litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))) {
			assertThat(context.getBean(LitestreamLifecycle.class).isRunning()).isTrue();
			assertThat(context.getBeanFactory().containsSingleton("dataSource")).isFalse();
		}
	}

	@Test
	void withoutAnySqliteDataSourceTheEntryWithoutAPathStillFailsStartupClearly() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class))
			.withInitializer((context) -> context
				.addBeanFactoryPostProcessor(new LazyInitializationBeanFactoryPostProcessor()))
			.withBean("otherDataSource", DataSource.class,
					() -> new SimpleDriverDataSource(new org.sqlite.JDBC(), "jdbc:h2:mem:other"))
			.withPropertyValues("litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.run((context) -> {
				var analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'litestream.dbs[0].path'")
					.contains("there is no SQLite DataSource");
				assertThat(analysis.getAction()).contains("Set litestream.dbs[0].path");
			});
	}

	private ConfigurableApplicationContext run(String... properties) {
		return new SpringApplicationBuilder(ReplicationTestApplication.class).web(WebApplicationType.NONE)
			.lazyInitialization(true)
			.properties(properties)
			.run();
	}

	private static List<Map<String, Object>> rows(DataSource dataSource) {
		return new JdbcTemplate(dataSource).queryForList("SELECT id, text FROM item ORDER BY id");
	}

	private static void loseTheDisk(Path db) throws Exception {
		try (Stream<Path> files = Files.list(db.getParent())) {
			for (Path file : files.toList()) {
				FileSystemUtils.deleteRecursively(file);
			}
		}
		assertThat(db).doesNotExist();
	}

}

package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.litestream.Litestream;
import io.github.litestream.jdbc.PromptBusySqliteDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteConnectionConfig;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class LitestreamAutoConfigurationTests {

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, LitestreamAutoConfiguration.class));

	private final ApplicationContextRunner runnerWithoutDataSource = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class));

	@Test
	void aDataSourceAndAnEntryThatMatchNothingAreReportedAsALikelyTypo(CapturedOutput output) {
		Path used = this.dir.resolve("app2.db");
		Path configured = this.dir.resolve("app.db");
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + used, "litestream.dbs[0].path=" + configured,
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				context.getBean(DataSource.class).getConnection().close();
				context.getBean(LitestreamLifecycle.class).stop();
			});
		assertThat(output).contains("SQLite DataSource(s) {dataSource=" + used + "} match no litestream.dbs entry")
			.contains("litestream.dbs[0].path (" + configured + ")")
			.contains("if a path is misspelt");
	}

	@Test
	void backsOffWhenDisabled() {
		this.runnerWithoutDataSource.withPropertyValues("litestream.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(LitestreamLifecycle.class)
				.doesNotHaveBean(LitestreamProperties.class));
	}

	@Test
	void backsOffWithoutSqliteJdbc() {
		this.runnerWithoutDataSource.withClassLoader(new FilteredClassLoader("org.sqlite"))
			.run((context) -> assertThat(context).doesNotHaveBean(LitestreamLifecycle.class));
	}

	@Test
	void startsWithNothingToReplicateAndLeavesTheDataSourceAlone() {
		this.runner.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("app.db"))
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(LitestreamLifecycle.class);
				assertThat(context.getBean(LitestreamDatabases.class).databases()).isEmpty();
				assertThat(pragma(context.getBean(DataSource.class), "journal_mode")).isEqualTo("delete");
			});
	}

	@Test
	void userBeansReplaceTheAutoConfiguredOnes() {
		this.runnerWithoutDataSource.withUserConfiguration(UserBeans.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(Litestream.class)).isSameAs(context.getBean(UserBeans.class).litestream);
			assertThat(context.getBean(ReplicaClientFactory.class).types()).containsExactlyInAnyOrder("file", "s3", "abs", "gcs", "test");
		});
	}

	@Test
	void aSynchronousModeInTheUrlWinsOverTheDefault() {
		Path db = this.dir.resolve("data/app.db");
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + db + "?synchronous=FULL",
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				HikariDataSource dataSource = (HikariDataSource) context.getBean(DataSource.class);
				try (Connection connection = dataSource.getConnection()) {
					assertThat(pragma(connection, "synchronous")).as("FULL, not the default NORMAL").isEqualTo("2");
					assertThat(pragma(connection, "journal_mode")).isEqualTo("wal");
					assertThat(pragma(connection, "wal_autocheckpoint")).isEqualTo("0");
				}
			});
	}

	@Test
	void pathMayBeOmittedWithOneSqliteDataSourceWhosePooledConnectionsGetThePragmas() {
		Path db = this.dir.resolve("data/app.db");
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + db, "litestream.busy-timeout=7s",
					"litestream.synchronous=FULL", "litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"),
					"spring.datasource.hikari.maximum-pool-size=3",
					"spring.datasource.hikari.data-source-properties.foreign_keys=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				DataSource dataSource = context.getBean(DataSource.class);
				assertThat(dataSource).isInstanceOf(HikariDataSource.class);
				// Hikari opens its connections through a DataSource that sets the prompt busy handler.
				assertThat(((HikariDataSource) dataSource).getDataSource())
					.isInstanceOfSatisfying(PromptBusySqliteDataSource.class,
							(sqlite) -> assertThat(sqlite.getBusyTimeout()).hasSeconds(7));
				assertThat(context.getBean(LitestreamDatabases.class).databases())
					.singleElement()
					.satisfies((database) -> assertThat(database.path()).isEqualTo(SqliteJdbcUrl.canonical(db)));
				Connection[] held = new Connection[3];
				for (int i = 0; i < held.length; i++) {
					held[i] = dataSource.getConnection(); // three distinct pooled connections
					assertThat(pragma(held[i], "journal_mode")).isEqualTo("wal");
					assertThat(pragma(held[i], "wal_autocheckpoint")).isEqualTo("0");
					// SQLite shows 0 once a busy handler replaced its busy timeout.
					assertThat(pragma(held[i], "busy_timeout")).isEqualTo("0");
					assertThat(pragma(held[i], "synchronous")).isEqualTo("2");
					assertThat(pragma(held[i], "foreign_keys")).as("a data source property of the user's").isEqualTo("1");
				}
				for (Connection connection : held) {
					connection.close();
				}
			});
	}

	@Test
	void theJdbcUrlsParametersStillReachThePooledConnections() {
		Path db = this.dir.resolve("data/app.db");
		this.runner
			.withPropertyValues(
					"spring.datasource.url=jdbc:sqlite:" + db + "?transaction_mode=IMMEDIATE&date_class=TEXT&cache_size=-4000",
					"spring.datasource.hikari.data-source-properties.cache_size=-8000",
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				try (Connection connection = context.getBean(DataSource.class).getConnection()) {
					SQLiteConnectionConfig config = connection.unwrap(SQLiteConnection.class).getConnectionConfig();
					assertThat(config.getTransactionMode()).isEqualTo(SQLiteConfig.TransactionMode.IMMEDIATE);
					assertThat(config.getDateClass()).isEqualTo(SQLiteConfig.DateClass.TEXT);
					assertThat(pragma(connection, "cache_size")).as("a data source property wins, as with the driver")
						.isEqualTo("-8000");
					assertThat(pragma(connection, "journal_mode")).isEqualTo("wal");
				}
			});
	}

	@Test
	void aHikariPoolWithADataSourceClassNameKeepsIt() {
		Path db = this.dir.resolve("data/app.db");
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + db,
					"spring.datasource.hikari.data-source-class-name=org.sqlite.SQLiteDataSource",
					"spring.datasource.hikari.data-source-properties.url=jdbc:sqlite:" + db,
					"litestream.dbs[0].path=" + db, "litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.run((context) -> {
				HikariDataSource hikari = context.getBean(HikariDataSource.class);
				assertThat(hikari.getDataSourceClassName()).isEqualTo("org.sqlite.SQLiteDataSource");
				assertThat(hikari.getDataSource()).as("the user's DataSource class, not one of the starter's").isNull();
			});
	}

	@Test
	void defaultPragmasOnASqliteDataSourceBean() {
		Path db = this.dir.resolve("plain.db");
		this.runner.withUserConfiguration(SqliteDataSourceBean.class)
			.withPropertyValues("test.url=jdbc:sqlite:" + db, "litestream.dbs[0].path=" + db)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				DataSource dataSource = context.getBean(DataSource.class);
				assertThat(dataSource).isInstanceOf(org.sqlite.SQLiteDataSource.class);
				assertThat(pragma(dataSource, "journal_mode")).isEqualTo("wal");
				assertThat(pragma(dataSource, "wal_autocheckpoint")).isEqualTo("0");
				assertThat(pragma(dataSource, "busy_timeout")).isEqualTo("5000");
				assertThat(pragma(dataSource, "synchronous")).isEqualTo("1");
			});
	}

	@Test
	void worksWithoutHikariOnTheClasspath() {
		Path db = this.dir.resolve("plain.db");
		this.runnerWithoutDataSource.withClassLoader(new FilteredClassLoader("com.zaxxer.hikari"))
			.withUserConfiguration(SqliteDataSourceBean.class)
			.withPropertyValues("test.url=jdbc:sqlite:" + db, "litestream.dbs[0].path=" + db)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(pragma(context.getBean(DataSource.class), "journal_mode")).isEqualTo("wal");
			});
	}

	@Test
	void startedHikariPoolIsRejected() {
		this.runnerWithoutDataSource.withUserConfiguration(StartedHikari.class)
			.withPropertyValues("test.url=jdbc:sqlite:" + this.dir.resolve("app.db"),
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.run((context) -> {
				// The refused bean never finished its creation, so the context does not close it:
				// its pool would go on opening connections into the directory the test deletes.
				StartedHikari.STARTED.forEach(HikariDataSource::close);
				assertThat(analysis(context.getStartupFailure())).satisfies((analysis) -> {
					assertThat(analysis.getDescription()).contains("bean 'dataSource'").contains("pool started");
					assertThat(analysis.getAction()).contains("no-argument constructor");
				});
			});
	}

	@Test
	void twoDataSourcesAreMatchedByPathAndAnUnconfiguredOneIsLeftAlone() {
		Path first = this.dir.resolve("first.db");
		Path second = this.dir.resolve("sub/../second.db");
		Path third = this.dir.resolve("third.db");
		this.runner.withUserConfiguration(ThreeDataSources.class)
			.withPropertyValues("test.first=jdbc:sqlite:" + first, "test.second=jdbc:sqlite:file://" + second,
					"test.third=jdbc:sqlite:" + third, "litestream.dbs[0].path=" + this.dir.resolve("second.db"),
					"litestream.dbs[1].path=" + first, "litestream.dbs[2].path=" + this.dir.resolve("standalone.db"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(LitestreamDatabases.class).databases()).hasSize(3);
				assertThat(pragma(context.getBean("first", DataSource.class), "journal_mode")).isEqualTo("wal");
				assertThat(pragma(context.getBean("second", DataSource.class), "journal_mode")).isEqualTo("wal");
				assertThat(pragma(context.getBean("third", DataSource.class), "journal_mode")).isEqualTo("delete");
				assertThat(context.getBeanFactory().getDependenciesForBean("first")).contains("litestream");
				assertThat(context.getBeanFactory().getDependenciesForBean("third")).doesNotContain("litestream");
			});
	}

	@Test
	void omittedPathWithTwoSqliteDataSourcesFails() {
		this.runner.withUserConfiguration(ThreeDataSources.class)
			.withPropertyValues("test.first=jdbc:sqlite:" + this.dir.resolve("a.db"),
					"test.second=jdbc:sqlite:" + this.dir.resolve("b.db"),
					"test.third=jdbc:sqlite:" + this.dir.resolve("c.db"),
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.run((context) -> assertThat(analysis(context.getStartupFailure())).satisfies((analysis) -> {
				assertThat(analysis.getDescription()).contains("litestream.dbs[0].path")
					.contains("exactly one SQLite DataSource");
				assertThat(analysis.getAction()).contains("Set litestream.dbs[0].path");
			}));
	}

	@Test
	void omittedPathWithoutAnySqliteDataSourceFails() {
		this.runnerWithoutDataSource
			.withPropertyValues("litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.run((context) -> assertThat(analysis(context.getStartupFailure()).getDescription())
				.contains("litestream.dbs[0].path")
				.contains("there is no SQLite DataSource"));
	}

	@Test
	void inMemoryDataSourceCannotBeReplicated() {
		this.runner
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:file::memory:?cache=shared",
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.run((context) -> assertThat(analysis(context.getStartupFailure())).satisfies((analysis) -> {
				assertThat(analysis.getDescription()).contains("litestream.dbs[0].path").contains("in-memory");
				assertThat(analysis.getAction()).contains("jdbc:sqlite:data/app.db");
			}));
	}

	static String pragma(DataSource dataSource, String name) throws Exception {
		try (Connection connection = dataSource.getConnection()) {
			return pragma(connection, name);
		}
	}

	static String pragma(Connection connection, String name) throws Exception {
		try (Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("PRAGMA " + name)) {
			result.next();
			return result.getString(1);
		}
	}

	/**
	 * The failure report Spring Boot would print: the first analysis of the analyzers
	 * registered in {@code spring.factories}, in their order, as Boot's FailureAnalyzers does.
	 */
	static FailureAnalysis analysis(Throwable failure) {
		assertThat(failure).as("startup failure").isNotNull();
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader
			.forDefaultResourceLocation(LitestreamAutoConfigurationTests.class.getClassLoader())
			.load(FailureAnalyzer.class, ArgumentResolver.none(), FailureHandler.handleMessage((message, ex) -> {
				// Analyzers that need a bean factory or environment don't explain ours.
			}));
		AnnotationAwareOrderComparator.sort(analyzers);
		FailureAnalysis analysis = analyzers.stream()
			.map((analyzer) -> analyzer.analyze(failure))
			.filter(Objects::nonNull)
			.findFirst()
			.orElse(null);
		assertThat(analysis).as("analysis of %s", failure).isNotNull();
		return analysis;
	}

	@Configuration(proxyBeanMethods = false)
	static class UserBeans {

		final Litestream litestream = new Litestream();

		@Bean
		Litestream userLitestream() {
			return this.litestream;
		}

		@Bean
		ReplicaClientProvider testReplicaClientProvider() {
			return new ReplicaClientProvider() {

				@Override
				public String type() {
					return "test";
				}

				@Override
				public Object configure(ReplicaEntry entry) {
					return entry.property();
				}

				@Override
				public io.github.litestream.replica.ReplicaClient create(ReplicaSettings settings,
						io.github.litestream.replica.ReplicaOperationListener listener) {
					throw new UnsupportedOperationException();
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SqliteDataSourceBean {

		@Bean
		DataSource dataSource(org.springframework.core.env.Environment environment) {
			org.sqlite.SQLiteDataSource dataSource = new org.sqlite.SQLiteDataSource();
			dataSource.setUrl(environment.getProperty("test.url"));
			return dataSource;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class StartedHikari {

		static final List<HikariDataSource> STARTED = new CopyOnWriteArrayList<>();

		@Bean(destroyMethod = "close")
		HikariDataSource dataSource(org.springframework.core.env.Environment environment) {
			com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
			config.setJdbcUrl(environment.getProperty("test.url"));
			HikariDataSource started = new HikariDataSource(config);
			STARTED.add(started);
			return started;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ThreeDataSources {

		@Bean
		HikariDataSource first(org.springframework.core.env.Environment environment) {
			return hikari(environment.getProperty("test.first"));
		}

		@Bean
		HikariDataSource second(org.springframework.core.env.Environment environment) {
			return hikari(environment.getProperty("test.second"));
		}

		@Bean
		HikariDataSource third(org.springframework.core.env.Environment environment) {
			return hikari(environment.getProperty("test.third"));
		}

		private static HikariDataSource hikari(String url) {
			HikariDataSource dataSource = new HikariDataSource();
			dataSource.setJdbcUrl(url);
			return dataSource;
		}

	}

}

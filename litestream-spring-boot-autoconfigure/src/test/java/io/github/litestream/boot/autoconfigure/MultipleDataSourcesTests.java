package io.github.litestream.boot.autoconfigure;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.sql.DataSource;

import io.github.litestream.Litestream;
import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application with two SQLite DataSources, told apart by qualifiers as Spring applications
 * do: each is tied to the {@code litestream.dbs} entry of its file, restored from its own
 * replica before it opens, and replicated to that replica.
 */
class MultipleDataSourcesTests {

	@TempDir
	Path dir;

	@Test
	void eachQualifiedDataSourceIsRestoredFromItsOwnReplicaAndReplicatedToIt() throws Exception {
		Path ordersReplica = seedReplica(this.dir, "orders", "restored-order");
		Path customersReplica = seedReplica(this.dir, "customers", "restored-customer");
		Path orders = this.dir.resolve("data/orders.db");
		Path customers = this.dir.resolve("data/customers.db");
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, LitestreamAutoConfiguration.class))
			.withUserConfiguration(TwoDataSources.class)
			.withPropertyValues("app.orders.url=jdbc:sqlite:" + orders, "app.customers.url=jdbc:sqlite:" + customers,
					"litestream.dbs[0].path=" + orders, "litestream.dbs[0].replicas[0].path=" + ordersReplica,
					"litestream.dbs[1].path=" + customers, "litestream.dbs[1].replicas[0].path=" + customersReplica)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Stores stores = context.getBean(Stores.class);
				assertThat(stores.orders().queryForList("SELECT text FROM orders", String.class))
					.containsExactly("restored-order");
				assertThat(stores.customers().queryForList("SELECT text FROM customers", String.class))
					.containsExactly("restored-customer");
				assertThat(context.getBean(Litestream.class).databases()).hasSize(2);
				stores.orders().update("INSERT INTO orders (text) VALUES ('new-order')");
				stores.customers().update("INSERT INTO customers (text) VALUES ('new-customer')");
			});
		// Closing the context flushed both databases to their replicas.
		assertThat(restore(ordersReplica).queryForList("SELECT text FROM orders ORDER BY id", String.class))
			.containsExactly("restored-order", "new-order");
		assertThat(restore(customersReplica).queryForList("SELECT text FROM customers ORDER BY id", String.class))
			.containsExactly("restored-customer", "new-customer");
	}

	private JdbcTemplate restore(Path replica) throws Exception {
		Path restored = this.dir.resolve("restored-" + replica.getFileName() + ".db");
		try (FileReplicaClient client = new FileReplicaClient(replica)) {
			new Restorer().restore(client, RestoreOptions.latest(restored));
		}
		return jdbc(restored);
	}

	/**
	 * A replica holding one snapshot of a database with one table, named like the database,
	 * and one row, in {@code dir}.
	 */
	static Path seedReplica(Path dir, String name, String row) throws Exception {
		Path seed = Files.createDirectories(dir.resolve("seed")).resolve(name + ".db");
		JdbcTemplate jdbc = jdbc(seed);
		jdbc.execute("CREATE TABLE " + name + " (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
		jdbc.update("INSERT INTO " + name + " (text) VALUES (?)", row);
		ByteArrayOutputStream compressed = new ByteArrayOutputStream();
		try (OutputStream out = Lz4.compress(compressed)) {
			out.write(Files.readAllBytes(seed));
		}
		Path replica = dir.resolve("replica-" + name);
		try (FileReplicaClient client = new FileReplicaClient(replica)) {
			client.writeSnapshot("0123456789abcdef", 0, new ByteArrayInputStream(compressed.toByteArray()));
		}
		return replica;
	}

	private static JdbcTemplate jdbc(Path db) {
		return new JdbcTemplate(new SimpleDriverDataSource(new org.sqlite.JDBC(), "jdbc:sqlite:" + db));
	}

	@Test
	void anEntryWithoutAPathLeavesNoFileRestoredForTheWrongDataSource() throws Exception {
		Path replica = seedReplica(this.dir, "customers", "restored-customer");
		Path orders = this.dir.resolve("data/orders.db");
		Path customers = this.dir.resolve("data/customers.db");
		twoDataSources(orders, customers, replica).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasStackTraceContaining("litestream.dbs[0].path");
		});
		// The first DataSource's file was restored from the entry's replica before the second
		// DataSource showed that the entry's file is unknown.
		assertThat(orders).doesNotExist();
		assertThat(customers).doesNotExist();
		assertThat(this.dir.resolve("data/orders.db-wal")).doesNotExist();
	}

	@Test
	void anEntryWithoutAPathLeavesAFileThatWasThereAlone() throws Exception {
		Path replica = seedReplica(this.dir, "customers", "restored-customer");
		Path orders = this.dir.resolve("data/orders.db");
		Files.createDirectories(orders.getParent());
		jdbc(orders).execute("CREATE TABLE orders (text TEXT)");
		jdbc(orders).update("INSERT INTO orders VALUES ('kept-order')");
		twoDataSources(orders, this.dir.resolve("data/customers.db"), replica)
			.run((context) -> assertThat(context).hasFailed());
		assertThat(jdbc(orders).queryForList("SELECT text FROM orders", String.class)).containsExactly("kept-order");
	}

	private ApplicationContextRunner twoDataSources(Path orders, Path customers, Path pathlessReplica) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, LitestreamAutoConfiguration.class))
			.withUserConfiguration(TwoDataSources.class)
			.withPropertyValues("app.orders.url=jdbc:sqlite:" + orders, "app.customers.url=jdbc:sqlite:" + customers,
					"litestream.dbs[0].replicas[0].path=" + pathlessReplica);
	}

	/** Two Hikari pools, as an application declares them when it has two databases. */
	@Configuration(proxyBeanMethods = false)
	static class TwoDataSources {

		@Bean
		@Qualifier("orders")
		DataSource ordersDataSource(@Value("${app.orders.url}") String url) {
			return DataSourceBuilder.create().url(url).build();
		}

		@Bean
		@Qualifier("customers")
		DataSource customersDataSource(@Value("${app.customers.url}") String url) {
			return DataSourceBuilder.create().url(url).build();
		}

		@Bean
		Stores stores(@Qualifier("orders") DataSource orders, @Qualifier("customers") DataSource customers) {
			return new Stores(new JdbcTemplate(orders), new JdbcTemplate(customers));
		}

	}

	/** What the application injects its two databases into, each by its qualifier. */
	record Stores(JdbcTemplate orders, JdbcTemplate customers) {

	}

}

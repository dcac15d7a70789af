package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;

import javax.sql.DataSource;

import io.github.litestream.Litestream;
import io.github.litestream.boot.autoconfigure.MultipleDataSourcesTests.Stores;
import io.github.litestream.boot.autoconfigure.MultipleDataSourcesTests.TwoDataSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two SQLite DataSources with {@code spring.main.lazy-initialization=true} behave as without
 * it: an entry without a path fails startup naming the property to set, and an entry with a
 * path is tied to its own DataSource, whose file is restored before its first connection.
 */
class LazyInitializationMultipleDataSourcesTests {

	@TempDir
	Path dir;

	private final ApplicationContextRunner lazy = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, LitestreamAutoConfiguration.class))
		.withInitializer((context) -> context
			.addBeanFactoryPostProcessor(new LazyInitializationBeanFactoryPostProcessor()))
		.withUserConfiguration(TwoDataSources.class);

	@Test
	void anEntryWithoutAPathFailsStartupNamingThePropertyToSet() throws Exception {
		Path replica = MultipleDataSourcesTests.seedReplica(this.dir, "orders", "restored-order");
		this.lazy
			.withPropertyValues("app.orders.url=jdbc:sqlite:" + this.dir.resolve("data/orders.db"),
					"app.customers.url=jdbc:sqlite:" + this.dir.resolve("data/customers.db"),
					"litestream.dbs[0].replicas[0].path=" + replica)
			.run((context) -> {
				var analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("'litestream.dbs[0].path'")
					.contains("exactly one SQLite DataSource")
					.contains("there are 2 SQLite DataSources (")
					.contains("ordersDataSource")
					.contains("customersDataSource");
				assertThat(analysis.getAction()).contains("Set litestream.dbs[0].path");
			});
		assertThat(this.dir.resolve("data/orders.db")).as("not left restored from the entry's replica")
			.doesNotExist();
		assertThat(this.dir.resolve("data/customers.db")).doesNotExist();
	}

	@Test
	void anEntryWithAPathIsTiedToItsDataSourceAndRestoredBeforeItsFirstConnection() throws Exception {
		Path replica = MultipleDataSourcesTests.seedReplica(this.dir, "customers", "restored-customer");
		Path orders = this.dir.resolve("data/orders.db");
		Path customers = this.dir.resolve("data/customers.db");
		this.lazy
			.withPropertyValues("app.orders.url=jdbc:sqlite:" + orders, "app.customers.url=jdbc:sqlite:" + customers,
					"litestream.dbs[0].path=" + customers, "litestream.dbs[0].replicas[0].path=" + replica)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(LitestreamLifecycle.class).isRunning()).isTrue();
				assertThat(context.getBeanFactory().containsSingleton("customersDataSource"))
					.as("the DataSource stays lazy")
					.isFalse();
				assertThat(customers).as("restored on boot, before the DataSource exists").exists();
				assertThat(orders).doesNotExist();
				// A connection that opened the file before its restore would have created an empty
				// database, and the restore would then have kept it.
				Stores stores = context.getBean(Stores.class);
				assertThat(stores.customers().queryForList("SELECT text FROM customers", String.class))
					.containsExactly("restored-customer");
				stores.orders().execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)");
				DataSource customersDataSource = context.getBean("customersDataSource", DataSource.class);
				DataSource ordersDataSource = context.getBean("ordersDataSource", DataSource.class);
				assertThat(LitestreamAutoConfigurationTests.pragma(customersDataSource, "journal_mode")).isEqualTo("wal");
				assertThat(LitestreamAutoConfigurationTests.pragma(ordersDataSource, "journal_mode"))
					.as("not replicated, so left alone")
					.isEqualTo("delete");
				assertThat(context.getBean(Litestream.class).databases()).singleElement()
					.satisfies((database) -> assertThat(database.path()).isEqualTo(customers.toRealPath()));
				assertThat(context.getBeanFactory().getDependenciesForBean("customersDataSource"))
					.contains("litestream");
			});
	}

}

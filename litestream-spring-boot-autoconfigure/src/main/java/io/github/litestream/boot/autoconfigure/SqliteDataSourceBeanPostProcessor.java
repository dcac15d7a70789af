package io.github.litestream.boot.autoconfigure;

import javax.sql.DataSource;

import io.github.litestream.Litestream;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.Ordered;

/**
 * Prepares each replicated SQLite DataSource before anything can use it: runs the restore step
 * ({@link LitestreamRestoreInitializer}) for its database, and makes every connection use the
 * {@link SqlitePragmas}. With {@code synchronous-replication=on} it returns a proxy whose
 * commits wait for replication; with {@code standby=true}, one whose connections wait until
 * this instance takes over (a standby's restore is its follower's, not restore-on-boot's).
 *
 * <p>Running inside the DataSource's own initialisation is the strongest ordering guarantee
 * there is: Flyway, Liquibase, {@code spring.sql.init}, JPA and the application can only get
 * the DataSource after this returned, so none of them can open the database before it is
 * restored. It runs after the DataSource's {@code @ConfigurationProperties} were bound, so
 * it sees the final URL. It also makes the DataSource depend on the {@link Litestream}
 * bean, so on shutdown the pool closes before the engine's own connections do.
 */
final class SqliteDataSourceBeanPostProcessor implements BeanPostProcessor, BeanFactoryAware, Ordered {

	private final ObjectProvider<LitestreamDatabases> databases;

	private final ObjectProvider<LitestreamRestoreInitializer> restore;

	private final ObjectProvider<LitestreamProperties> properties;

	private final ObjectProvider<Litestream> engine;

	private final ObjectProvider<LitestreamStandbys> standbys;

	private BeanFactory beanFactory;

	SqliteDataSourceBeanPostProcessor(ObjectProvider<LitestreamDatabases> databases,
			ObjectProvider<LitestreamRestoreInitializer> restore, ObjectProvider<LitestreamProperties> properties,
			ObjectProvider<Litestream> engine, ObjectProvider<LitestreamStandbys> standbys) {
		this.databases = databases;
		this.restore = restore;
		this.properties = properties;
		this.engine = engine;
		this.standbys = standbys;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		if (bean instanceof DataSource dataSource) {
			return prepare(beanName, dataSource);
		}
		return bean;
	}

	private DataSource prepare(String beanName, DataSource dataSource) {
		SqliteDataSourceConfigurer configurer = new SqliteDataSourceConfigurer(
				SqlitePragmas.of(this.properties.getObject()));
		SqliteJdbcUrl url = configurer.sqliteUrl(dataSource);
		if (url == null) {
			return dataSource;
		}
		// Obtaining the restore step runs it for every entry with a path, before any SQLite
		// DataSource is let through; then it restores this DataSource's own entry, whose path
		// may only now be known.
		LitestreamRestoreInitializer restore = this.restore.getObject();
		DatabaseSettings database = this.databases.getObject().attach(beanName, url);
		if (database != null) {
			restore.restore(database);
			configurer.applyPragmas(beanName, dataSource);
			dependOnEngine(beanName);
			DataSource prepared = dataSource;
			if (database.synchronous().everyCommit()) {
				prepared = SynchronousReplicationDataSources.proxy(prepared, database, database.synchronous(),
						this.engine);
			}
			if (database.standby()) {
				prepared = StandbyDataSources.proxy(prepared,
						this.standbys.getObject().of(database, beanName).gate());
			}
			return prepared;
		}
		return dataSource;
	}

	private void dependOnEngine(String dataSourceName) {
		if (this.beanFactory instanceof ConfigurableBeanFactory configurable
				&& this.beanFactory instanceof org.springframework.beans.factory.ListableBeanFactory listable) {
			for (String engineName : listable.getBeanNamesForType(Litestream.class, false, false)) {
				configurable.registerDependentBean(engineName, dataSourceName);
			}
		}
	}

}

package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.util.Optional;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;

/**
 * Migrates at once, except the database of a standby, whose migration waits for the takeover:
 * the standby's file belongs to its follower until then, and the schema is the primary's to
 * change. Without it a standby's startup would block on its first connection until the
 * primary stops, and a deploy that starts the new instance before it stops the old one
 * (Docker, Kamal) would wait forever. The deferred migration runs on the promoting thread,
 * after the engine took over and before the application's connections are let through.
 */
final class StandbyFlywayMigrationStrategy implements FlywayMigrationStrategy {

	private static final Logger logger = LoggerFactory.getLogger(StandbyFlywayMigrationStrategy.class);

	private final ObjectProvider<LitestreamStandbys> standbys;

	private final ObjectProvider<LitestreamProperties> properties;

	StandbyFlywayMigrationStrategy(ObjectProvider<LitestreamStandbys> standbys,
			ObjectProvider<LitestreamProperties> properties) {
		this.standbys = standbys;
		this.properties = properties;
	}

	@Override
	public void migrate(Flyway flyway) {
		Optional<StandbyDatabase> standby = standbyOf(flyway.getConfiguration().getDataSource());
		if (standby.isEmpty() || standby.get().isPrimary()) {
			flyway.migrate();
			return;
		}
		logger.info("{} ({}) is a standby: Flyway migrates it when this instance takes over",
				standby.get().property(), standby.get().path());
		standby.get().gate().atPromotion(flyway::migrate);
	}

	private Optional<StandbyDatabase> standbyOf(DataSource dataSource) {
		LitestreamStandbys known = this.standbys.getIfAvailable();
		LitestreamProperties settings = this.properties.getIfAvailable();
		if (dataSource == null || known == null || settings == null || known.all().isEmpty()) {
			return Optional.empty();
		}
		SqliteJdbcUrl url = new SqliteDataSourceConfigurer(SqlitePragmas.of(settings)).sqliteUrl(dataSource);
		if (url == null || url.inMemory() || url.path() == null) {
			return Optional.empty();
		}
		Path path = SqliteJdbcUrl.canonical(url.path());
		return known.find(path);
	}

}

package io.github.litestream.boot.autoconfigure;

import java.util.Map;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import org.springframework.beans.BeanWrapper;
import org.springframework.beans.PropertyAccessorFactory;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.util.ClassUtils;

/**
 * Finds the SQLite database behind a DataSource and makes every connection it will open
 * use the {@link SqlitePragmas}, without opening a connection and without replacing the
 * DataSource, so its type (and Hikari's metrics and configuration) stay as they are.
 * <ul>
 * <li>Hikari with a {@code jdbc:sqlite:} URL, or with a plain {@link SQLiteDataSource}: Hikari
 * is given a {@link io.github.litestream.jdbc.PromptBusySqliteDataSource} of the same URL and
 * settings (its data source properties) plus the pragmas, whose connections also wait for
 * locks with a prompt busy handler. This only works before the pool starts; a started pool is
 * rejected.</li>
 * <li>Any other {@link SQLiteDataSource}, alone or inside Hikari: its {@link SQLiteConfig} is
 * set.</li>
 * <li>Any other pool with a writable {@code url} or {@code jdbcUrl} property: the pragmas are
 * appended to the URL's query, which sqlite-jdbc reads as connection properties.</li>
 * </ul>
 */
final class SqliteDataSourceConfigurer {

	private static final boolean HIKARI_PRESENT = ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource",
			SqliteDataSourceConfigurer.class.getClassLoader());

	private static final boolean UNWRAPPER_PRESENT = ClassUtils.isPresent(
			"org.springframework.boot.jdbc.DataSourceUnwrapper", SqliteDataSourceConfigurer.class.getClassLoader());

	private static final String[] URL_PROPERTIES = { "jdbcUrl", "url" };

	private final SqlitePragmas pragmas;

	SqliteDataSourceConfigurer(SqlitePragmas pragmas) {
		this.pragmas = pragmas;
	}

	/**
	 * The SQLite database a DataSource connects to, found without connecting.
	 * @param dataSource the DataSource
	 * @return the database, or {@code null} if it is not a SQLite DataSource
	 */
	@Nullable SqliteJdbcUrl sqliteUrl(DataSource dataSource) {
		String url = null;
		HikariDataSource hikari = HIKARI_PRESENT ? Hikari.unwrap(dataSource) : null;
		SQLiteDataSource sqlite = sqliteDataSource(dataSource, hikari);
		if (sqlite != null) {
			url = sqlite.getUrl();
		}
		else if (hikari != null) {
			url = hikari.getJdbcUrl();
		}
		else {
			url = urlProperty(PropertyAccessorFactory.forBeanPropertyAccess(dataSource));
		}
		return SqliteJdbcUrl.isSqlite(url) ? SqliteJdbcUrl.parse(url) : null;
	}

	/**
	 * Makes every connection the DataSource opens from now on use the pragmas.
	 * @param beanName the DataSource's bean name, for messages
	 * @param dataSource a DataSource for which {@link #sqliteUrl} found a database
	 * @throws LitestreamConfigurationException if its pool already started
	 */
	void applyPragmas(String beanName, DataSource dataSource) {
		HikariDataSource hikari = HIKARI_PRESENT ? Hikari.unwrap(dataSource) : null;
		if (hikari != null) {
			Hikari.checkNotStarted(beanName, hikari);
		}
		SQLiteDataSource sqlite = sqliteDataSource(dataSource, hikari);
		if (hikari != null && Hikari.mayOpenPromptly(hikari, sqlite)) {
			Hikari.openPromptly(hikari, sqlite, this.pragmas);
		}
		else if (sqlite != null) {
			sqlite.setConfig(this.pragmas.applyTo(sqlite.getConfig()));
		}
		else {
			BeanWrapper wrapper = PropertyAccessorFactory.forBeanPropertyAccess(dataSource);
			for (String property : URL_PROPERTIES) {
				if (isSqliteUrlProperty(wrapper, property)) {
					wrapper.setPropertyValue(property, withPragmas((String) wrapper.getPropertyValue(property)));
					return;
				}
			}
		}
	}

	/**
	 * Appends the pragmas to a JDBC URL's query.
	 * @param url a sqlite-jdbc URL
	 * @return the URL with the pragmas as query parameters
	 */
	String withPragmas(String url) {
		StringBuilder result = new StringBuilder(url);
		char separator = (url.indexOf('?') >= 0) ? '&' : '?';
		Properties own = SqliteJdbcUrl.queryParameters(url);
		for (Map.Entry<String, String> pragma : this.pragmas.asConnectionProperties().entrySet()) {
			if (SqlitePragmas.connectionsOwnValueWins(pragma.getKey()) && own.getProperty(pragma.getKey()) != null) {
				continue;
			}
			result.append(separator).append(pragma.getKey()).append('=').append(pragma.getValue());
			separator = '&';
		}
		return result.toString();
	}

	private static @Nullable SQLiteDataSource sqliteDataSource(DataSource dataSource,
			@Nullable HikariDataSource hikari) {
		if (hikari != null) {
			return (HIKARI_PRESENT) ? Hikari.sqliteDataSource(hikari) : null;
		}
		if (dataSource instanceof SQLiteDataSource sqlite) {
			return sqlite;
		}
		return UNWRAPPER_PRESENT ? DataSourceUnwrapper.unwrap(dataSource, SQLiteDataSource.class) : null;
	}

	private static @Nullable String urlProperty(BeanWrapper wrapper) {
		for (String property : URL_PROPERTIES) {
			if (isSqliteUrlProperty(wrapper, property)) {
				return (String) wrapper.getPropertyValue(property);
			}
		}
		return null;
	}

	private static boolean isSqliteUrlProperty(BeanWrapper wrapper, String property) {
		return wrapper.isReadableProperty(property) && wrapper.isWritableProperty(property)
				&& wrapper.getPropertyValue(property) instanceof String url && SqliteJdbcUrl.isSqlite(url);
	}

	/**
	 * Everything that touches Hikari, loaded only when Hikari is on the classpath.
	 */
	private static final class Hikari {

		private Hikari() {
		}

		static @Nullable HikariDataSource unwrap(DataSource dataSource) {
			if (dataSource instanceof HikariDataSource hikari) {
				return hikari;
			}
			return UNWRAPPER_PRESENT
					? DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class, HikariDataSource.class) : null;
		}

		static @Nullable SQLiteDataSource sqliteDataSource(HikariDataSource hikari) {
			return (hikari.getDataSource() instanceof SQLiteDataSource sqlite) ? sqlite : null;
		}

		/**
		 * Whether the pool's connections can come from a DataSource of the starter's: when it
		 * connects through its {@code jdbcUrl} (no DataSource or DataSource class of the user's),
		 * or through a plain {@link SQLiteDataSource}. Anything else (a proxy, a subclass, a
		 * DataSource class name) keeps its own, with the pragmas in its URL.
		 */
		static boolean mayOpenPromptly(HikariDataSource hikari, @Nullable SQLiteDataSource sqlite) {
			if (sqlite != null) {
				return sqlite.getClass() == SQLiteDataSource.class;
			}
			return hikari.getDataSource() == null && hikari.getDataSourceClassName() == null;
		}

		/**
		 * Makes the pool open its connections through a DataSource that sets the pragmas and
		 * the prompt busy handler: built from its {@code jdbcUrl} and data source properties,
		 * or from the plain {@link SQLiteDataSource} it was given.
		 */
		static void openPromptly(HikariDataSource hikari, @Nullable SQLiteDataSource sqlite, SqlitePragmas pragmas) {
			if (sqlite != null) {
				hikari.setDataSource(pragmas.dataSource(sqlite.getUrl(), sqlite.getConfig(), false));
				return;
			}
			// What sqlite-jdbc's driver did with Hikari's jdbcUrl: the URL's parameters, then the
			// data source properties over them, and the pool's password as the key of an
			// encrypted database (SQLiteDataSource would drop all three).
			Properties properties = SqliteJdbcUrl.queryParameters(hikari.getJdbcUrl());
			properties.putAll(hikari.getDataSourceProperties());
			if (hikari.getPassword() != null) {
				properties.putIfAbsent(SQLiteConfig.Pragma.PASSWORD.pragmaName, hikari.getPassword());
			}
			hikari.setDataSource(pragmas.dataSource(hikari.getJdbcUrl(), new SQLiteConfig(properties),
					properties.getProperty(SQLiteConfig.Pragma.TRANSACTION_MODE.pragmaName) != null));
		}

		static void checkNotStarted(String beanName, HikariDataSource hikari) {
			if (hikari.getHikariPoolMXBean() != null) {
				throw new LitestreamConfigurationException("spring.datasource (bean '" + beanName + "')",
						"its Hikari pool started before Litestream could restore the database and set its pragmas",
						"Create the HikariDataSource with its no-argument constructor and setters (as Spring Boot "
								+ "does) instead of new HikariDataSource(config), so the pool starts on first use.");
			}
		}

	}

}

package io.github.litestream.boot.autoconfigure;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import javax.sql.DataSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A small real application: a SQLite DataSource replicated by the starter. Run as a child
 * JVM by {@link ShutdownFlushTests}: it writes rows through the application's DataSource,
 * prints the last committed id, and waits to be terminated.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, LitestreamAutoConfiguration.class })
public class ReplicationTestApplication {

	/** Printed, followed by the last committed id, once the rows are committed. */
	static final String COMMITTED = "LITESTREAM-TEST-COMMITTED ";

	/**
	 * Starts the application, writes {@code args[0]} rows and waits.
	 * @param args the number of rows, then Spring Boot arguments
	 * @throws Exception on failure
	 */
	public static void main(String[] args) throws Exception {
		int rows = Integer.parseInt(args[0]);
		String[] bootArgs = java.util.Arrays.copyOfRange(args, 1, args.length);
		SpringApplication application = new SpringApplication(ReplicationTestApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		// Docker Compose support is on this module's test classpath (for its service connection);
		// outside a test runner it would look for a compose.yaml this application doesn't have.
		application.setDefaultProperties(java.util.Map.of("spring.docker.compose.enabled", "false"));
		ConfigurableApplicationContext context = application.run(bootArgs);
		long last = writeRows(context.getBean(DataSource.class), rows);
		PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
		out.println(COMMITTED + last);
		Thread.currentThread().join(); // until SIGTERM runs the shutdown hook
	}

	static long writeRows(DataSource dataSource, int rows) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		jdbc.execute("CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
		for (int i = 0; i < rows; i++) {
			jdbc.update("INSERT INTO item (text) VALUES (?)", "row-" + i);
		}
		return jdbc.queryForObject("SELECT max(id) FROM item", Long.class);
	}

}

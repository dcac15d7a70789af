package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.github.litestream.Litestream;
import io.github.litestream.lease.LeaseRecord;
import io.github.litestream.lease.LeaseStatus;
import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Restore-on-boot of a leased database reads its replica under the lease, which the engine then
 * takes over: an instance started while another still writes fails before it restores anything
 * (so its next start restores everything the other wrote until its last commit, instead of
 * keeping an older file and forking a new generation from it), and a startup that fails after
 * the restore gives the lease back.
 */
class RestoreUnderLeaseTests {

	@TempDir
	Path dir;

	@Test
	void anInstanceStartedWhileAnotherWritesRestoresNothingThenEverythingOnceItStopped() throws Exception {
		Path restored = this.dir.resolve("second").resolve("app.db");
		List<Map<String, Object>> last;
		try (ConfigurableApplicationContext first = run(database("first"))) {
			ReplicationTestApplication.writeRows(first.getBean(DataSource.class), 10);
			Throwable refused = catchThrowable(() -> run(database("second")).close());
			assertThat(refused).hasRootCauseInstanceOf(io.github.litestream.lease.LeaseHeldException.class);
			assertThat(restored).as("nothing restored while another instance holds the lease").doesNotExist();
			// The last commits, shipped by the clean shutdown below.
			ReplicationTestApplication.writeRows(first.getBean(DataSource.class), 5);
			last = rows(first);
		}
		try (ConfigurableApplicationContext second = run(database("second"))) {
			assertThat(rows(second)).as("the first instance's final state").isEqualTo(last);
			LeaseStatus lease = leaseOf(second);
			assertThat(lease.record().epoch()).as("taken once, for the restore, and handed to the engine")
				.isEqualTo(2);
			assertThat(lease.record().holder()).isEqualTo(second.getBean(Litestream.class).leaseHolder());
			ReplicationTestApplication.writeRows(second.getBean(DataSource.class), 3);
			last = rows(second);
		}
		assertThat(new FileReplicaClient(replica()).generations()).as("the restored generation was continued")
			.hasSize(1);
		Path third = this.dir.resolve("third").resolve("app.db");
		try (ConfigurableApplicationContext context = run(database("third"))) {
			assertThat(rows(context)).isEqualTo(last);
		}
		assertThat(third).exists();
	}

	@Test
	void aStartupThatFailsAfterTheRestoreGivesTheLeaseBack() throws Exception {
		try (ConfigurableApplicationContext first = run(database("first"))) {
			ReplicationTestApplication.writeRows(first.getBean(DataSource.class), 10);
		}
		Throwable failed = catchThrowable(() -> new SpringApplicationBuilder(ReplicationTestApplication.class,
				FailsAfterTheDataSource.class)
			.web(WebApplicationType.NONE)
			.properties(replicaProperty(), database("second"))
			.run()
			.close());
		assertThat(failed).hasRootCauseMessage("the application failed after the restore");
		assertThat(this.dir.resolve("second").resolve("app.db")).as("restored before the failure").exists();
		LeaseRecord record = LeaseRecord.parse(new FileReplicaClient(replica()).conditionalObjects()
			.orElseThrow()
			.read(ReplicaLease.OBJECT)
			.orElseThrow()
			.content());
		assertThat(record.released()).isTrue();
		assertThat(record.epoch()).as("the failed instance took it for its restore").isEqualTo(2);
	}

	private Path replica() {
		return this.dir.resolve("replica");
	}

	private String replicaProperty() {
		return "litestream.dbs[0].replicas[0].path=" + replica();
	}

	private String database(String name) {
		return "spring.datasource.url=jdbc:sqlite:" + this.dir.resolve(name).resolve("app.db");
	}

	private ConfigurableApplicationContext run(String database) {
		return new SpringApplicationBuilder(ReplicationTestApplication.class).web(WebApplicationType.NONE)
			.properties(replicaProperty(), database)
			.run();
	}

	private static List<Map<String, Object>> rows(ConfigurableApplicationContext context) {
		return new JdbcTemplate(context.getBean(DataSource.class)).queryForList("SELECT id, text FROM item ORDER BY id");
	}

	private static LeaseStatus leaseOf(ConfigurableApplicationContext context) {
		Litestream litestream = context.getBean(Litestream.class);
		return litestream.lease(litestream.replicas(litestream.databases().get(0)).get(0)).orElseThrow();
	}

	/** An application whose startup fails once its DataSource (and so the restore) is done. */
	@Configuration(proxyBeanMethods = false)
	static class FailsAfterTheDataSource {

		@Bean
		InitializingBean failingAfterRestore(DataSource dataSource) {
			return () -> {
				throw new IllegalStateException("the application failed after the restore");
			};
		}

	}

}

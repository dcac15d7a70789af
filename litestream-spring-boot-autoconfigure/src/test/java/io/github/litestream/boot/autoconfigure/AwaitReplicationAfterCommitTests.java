package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import javax.sql.DataSource;

import io.github.litestream.boot.transaction.AwaitReplication;
import io.github.litestream.boot.transaction.NotReplicatedException;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * An {@link AwaitReplication} method called from another transaction's {@code afterCommit} or
 * {@code afterCompletion} callback, in a real context over a real SQLite DataSource: Spring runs
 * {@code afterCommit} over a copy of the synchronizations, so a wait registered as one then
 * would never run. The method commits in a transaction of its own (what Spring advises there),
 * and with a 30 s sync interval only a wait can put that commit in the replica before it returns.
 */
class AwaitReplicationAfterCommitTests {

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
				LitestreamAutoConfiguration.class))
		.withUserConfiguration(Orders.class);

	@BeforeEach
	void createTables() throws Exception {
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + this.dir.resolve("app.db"));
				Statement s = c.createStatement()) {
			s.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, text TEXT)");
			s.execute("CREATE TABLE receipt (id INTEGER PRIMARY KEY, text TEXT)");
		}
	}

	private ApplicationContextRunner replicatingTo(Path replica) {
		return this.runner.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("app.db"),
				"litestream.dbs[0].monitor-interval=30s", "litestream.dbs[0].replicas[0].path=" + replica,
				"litestream.dbs[0].replicas[0].sync-interval=30s");
	}

	@Test
	void aMethodCalledFromAnotherTransactionsAfterCommitReturnsOnceItsCommitIsReplicated() {
		Path replica = this.dir.resolve("replica");
		replicatingTo(replica).run((context) -> {
			assertThat(context).hasNotFailed();
			Awaitility.await().until(() -> !new FileReplicaClient(replica).generations().isEmpty());
			Receipts receipts = context.getBean(Receipts.class);
			transaction(context).executeWithoutResult((status) -> {
				jdbc(context).update("INSERT INTO orders (text) VALUES ('order')");
				TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

					@Override
					public void afterCommit() {
						receipts.write("after commit");
					}

				});
			});
			assertThat(restoredReceipts(replica, "after-commit")).isEqualTo(1);
		});
	}

	@Test
	void anApplicationWithoutAwaitReplicationBeansLeavesItsTransactionsAlone() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
					LitestreamAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("app.db"),
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				int synchronizations = transaction(context)
					.execute((status) -> TransactionSynchronizationManager.getSynchronizations().size());
				assertThat(synchronizations).isZero();
			});
	}

	@Test
	void aMethodCalledFromAnotherTransactionsAfterCommitThrowsWhenNotReplicatedInTime() throws Exception {
		Path unwritable = Files.writeString(this.dir.resolve("not-a-directory"), "a file where the replica should be")
			.resolve("replica");
		replicatingTo(unwritable).run((context) -> {
			assertThat(context).hasNotFailed();
			Receipts receipts = context.getBean(Receipts.class);
			assertThatExceptionOfType(NotReplicatedException.class)
				.isThrownBy(() -> transaction(context).executeWithoutResult((status) -> {
					jdbc(context).update("INSERT INTO orders (text) VALUES ('order')");
					TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

						@Override
						public void afterCommit() {
							receipts.writeQuickly("after commit");
						}

					});
				}));
			assertThat(jdbc(context).queryForObject("SELECT COUNT(*) FROM receipt", Long.class)).isEqualTo(1);
		});
	}

	@Test
	void aMethodCalledFromAnotherTransactionsAfterCompletionReturnsOnceItsCommitIsReplicated() {
		Path replica = this.dir.resolve("replica");
		replicatingTo(replica).run((context) -> {
			assertThat(context).hasNotFailed();
			Awaitility.await().until(() -> !new FileReplicaClient(replica).generations().isEmpty());
			Receipts receipts = context.getBean(Receipts.class);
			transaction(context).executeWithoutResult((status) -> {
				jdbc(context).update("INSERT INTO orders (text) VALUES ('order')");
				TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

					@Override
					public void afterCompletion(int completion) {
						receipts.write("after completion");
					}

				});
			});
			assertThat(restoredReceipts(replica, "after-completion")).isEqualTo(1);
		});
	}

	@Test
	void aMethodCalledFromTheAfterCommitOfAScopeWithoutATransactionStillWaits() {
		Path replica = this.dir.resolve("replica");
		replicatingTo(replica).run((context) -> {
			assertThat(context).hasNotFailed();
			Awaitility.await().until(() -> !new FileReplicaClient(replica).generations().isEmpty());
			Receipts receipts = context.getBean(Receipts.class);
			TransactionTemplate supports = transaction(context);
			// Synchronizations but no actual transaction: nothing marks its afterCommit phase.
			supports.setPropagationBehavior(TransactionDefinition.PROPAGATION_SUPPORTS);
			supports.executeWithoutResult((status) -> TransactionSynchronizationManager
				.registerSynchronization(new TransactionSynchronization() {

					@Override
					public void afterCommit() {
						receipts.write("after an empty commit");
					}

				}));
			assertThat(restoredReceipts(replica, "empty")).isEqualTo(1);
		});
	}

	private static TransactionTemplate transaction(org.springframework.context.ApplicationContext context) {
		return new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
	}

	private static JdbcTemplate jdbc(org.springframework.context.ApplicationContext context) {
		return new JdbcTemplate(context.getBean(DataSource.class));
	}

	private long restoredReceipts(Path replica, String name) throws IOException, java.sql.SQLException {
		Path out = this.dir.resolve("restored-" + name + ".db");
		new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(out));
		try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out); Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM receipt")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Orders {

		@Bean
		Receipts receipts(DataSource dataSource, PlatformTransactionManager transactionManager) {
			TransactionTemplate requiresNew = new TransactionTemplate(transactionManager);
			requiresNew.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
			return new Receipts(new JdbcTemplate(dataSource), requiresNew);
		}

	}

	/**
	 * Writes in a transaction of its own, as Spring advises for work done after another
	 * transaction's commit; the annotation is on a method with no {@code @Transactional}.
	 */
	static class Receipts {

		private final JdbcTemplate jdbc;

		private final TransactionTemplate requiresNew;

		Receipts(JdbcTemplate jdbc, TransactionTemplate requiresNew) {
			this.jdbc = jdbc;
			this.requiresNew = requiresNew;
		}

		@AwaitReplication
		public void write(String text) {
			this.requiresNew.executeWithoutResult(
					(status) -> this.jdbc.update("INSERT INTO receipt (text) VALUES (?)", text));
		}

		@AwaitReplication(timeout = "300ms")
		public void writeQuickly(String text) {
			write(text);
		}

	}

}

package io.github.litestream.boot.autoconfigure;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.litestream.Litestream;
import io.github.litestream.StalledLeaseStore;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A context stopped on one thread while another starts it again, and the engine's start waits
 * for a store (its lease write held on a latch): the stop reaches Litestream's lifecycle, gives
 * the engine's start up, and replication ends stopped; the context then starts again as usual.
 * A real application on a real SQLite file and a real file replica.
 */
class StopDuringStartTests {

	private static final String STARTING = "test-context-start";

	@TempDir
	Path dir;

	private final ExecutorService starter = Executors.newSingleThreadExecutor((task) -> new Thread(task, STARTING));

	private final StallingBackend backend = new StallingBackend();

	@AfterEach
	void release() {
		StalledLeaseStore store = this.backend.store;
		if (store != null) {
			store.proceed();
		}
		this.starter.shutdownNow();
	}

	@Test
	void aStopWhileTheContextStartsAgainLeavesReplicationStopped() throws Exception {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ReplicationTestApplication.class)
			.initializers((initialized) -> initialized.getBeanFactory()
				.registerSingleton("stallingReplicaClientProvider", this.backend))
			.web(WebApplicationType.NONE)
			.properties("spring.datasource.url=jdbc:sqlite:" + this.dir.resolve("app.db"),
					"litestream.dbs[0].replicas[0].type=stalling",
					"litestream.dbs[0].replicas[0].path=" + this.dir.resolve("replica"))
			.run()) {
			Litestream litestream = context.getBean(Litestream.class);
			LitestreamLifecycle lifecycle = context.getBean(LitestreamLifecycle.class);
			ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 5);
			context.stop();
			assertThat(litestream.isRunning()).isFalse();

			// Started again, the engine takes its lease again: the store holds that write.
			Future<?> starting = this.starter.submit(context::start);
			assertThat(this.backend.store.awaitStalled()).isTrue();
			context.stop();
			this.backend.store.proceed();
			starting.get(1, TimeUnit.MINUTES);
			assertThat(litestream.isRunning()).as("the engine, after the stop").isFalse();
			assertThat(lifecycle.isRunning()).isFalse();

			context.start();
			assertThat(litestream.isRunning()).isTrue();
			ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 5);
		}
	}

	/**
	 * Directory replicas whose lease writes from the context's starting thread are held until
	 * the test lets them through.
	 */
	static final class StallingBackend implements ReplicaClientProvider {

		volatile StalledLeaseStore store;

		@Override
		public String type() {
			return "stalling";
		}

		@Override
		public Object configure(ReplicaEntry entry) {
			return Path.of(entry.path());
		}

		@Override
		public ReplicaClient create(ReplicaSettings settings, ReplicaOperationListener listener) {
			this.store = new StalledLeaseStore(new FileReplicaClient(settings.backend(Path.class), listener),
					(thread) -> thread.getName().equals(STARTING));
			return this.store;
		}

	}

}

package io.github.litestream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.AppDatabase.Summary;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.db.DatabaseListener;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The runtime's threads: replication in the background, a flush on stop, and listeners that
 * call back into the runtime without deadlocking it.
 */
class LitestreamRuntimeTests {

	@TempDir
	Path dir;

	@Test
	@Timeout(value = 2, unit = TimeUnit.MINUTES) // a deadlock would hang forever
	void listenersMayReadTheRuntimeWhileItStops() throws Exception {
		Path db = this.dir.resolve("app.db");
		FileReplicaClient client = new FileReplicaClient(this.dir.resolve("replica"));
		Litestream litestream = new Litestream();
		ReplicatedDatabase database = litestream.addDatabase(
				DatabaseOptions.defaults(db).withMonitorInterval(Duration.ofMillis(5)),
				List.of(new ReplicationTarget(client, ReplicaOptions.defaults("file"))));
		AtomicInteger callbacks = new AtomicInteger();
		database.addListener(new DatabaseListener() {
			@Override
			public void onSync(Duration duration, long bytes) {
				litestream.replicas(database).forEach((replica) -> replica.status());
				litestream.databases();
				callbacks.incrementAndGet();
			}
		});
		try (AppDatabase app = new AppDatabase(db)) {
			litestream.start();
			app.insert(50);
			await().until(() -> callbacks.get() > 10);
			assertThat(litestream.stop(Duration.ofSeconds(30))).isTrue();
			litestream.close();
			Path out = this.dir.resolve("restored.db");
			new Restorer().restore(client, RestoreOptions.latest(out));
			Summary restored = AppDatabase.summarize(out);
			assertThat(restored).isEqualTo(app.summary());
		}
	}

}

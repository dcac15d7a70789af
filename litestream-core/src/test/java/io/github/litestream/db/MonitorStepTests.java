package io.github.litestream.db;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.litestream.AppDatabase;
import io.github.litestream.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * What {@link MonitorStep} records, through {@link ReplicatedDatabase#sync()} on a real
 * database: steps fail while the database file is moved away (the engine refuses a file that is
 * no longer at its path), and succeed again once it is back.
 */
class MonitorStepTests {

	@TempDir
	Path dir;

	@Test
	void aRunOfFailingStepsKeepsTheTimeOfItsFirstUntilAStepSucceeds() throws Exception {
		Path path = this.dir.resolve("app.db");
		Path away = this.dir.resolve("away.db");
		MutableClock clock = new MutableClock();
		List<String> told = new CopyOnWriteArrayList<>();
		try (AppDatabase app = new AppDatabase(path);
				ReplicatedDatabase database = new ReplicatedDatabase(DatabaseOptions.defaults(path), clock)) {
			app.insert(3);
			database.open();
			database.addListener(new DatabaseListener() {

				@Override
				public void onSync(Duration duration, long bytes) {
					told.add("sync");
				}

				@Override
				public void onSyncError(Exception error) {
					told.add("error");
				}

			});
			database.sync();
			assertThat(database.syncFailure()).isNull();
			Files.move(path, away);
			Instant first = clock.instant();
			assertThatIOException().isThrownBy(database::sync);
			SyncFailure failure = database.syncFailure();
			assertThat(failure).isNotNull();
			assertThat(failure.since()).isAfterOrEqualTo(first);
			assertThat(failure.error()).contains("deleted or replaced");
			clock.advance(Duration.ofMinutes(5));
			assertThatIOException().isThrownBy(database::sync);
			assertThat(database.syncFailure().since()).as("the run's first failure").isEqualTo(failure.since());
			Files.move(away, path);
			database.sync();
			assertThat(database.syncFailure()).isNull();
			assertThat(told).containsExactly("sync", "error", "error", "sync");
		}
	}

}

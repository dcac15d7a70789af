package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.github.litestream.restore.Fixture;
import io.github.litestream.restore.ReplicaDamage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restore-on-boot with several replicas restores the one whose newest backup is the most
 * recent, not the first one configured. Object times of file replicas are file modification
 * times; the tests set them rather than rely on the clock's resolution.
 *
 * <p>Row counts of the Litestream v0.3.14 fixture, from its expected.txt: 277 at index 0x24,
 * 289 at 0x26, 301 at the latest index (0x28).
 */
@ExtendWith(OutputCaptureExtension.class)
class RestoreReplicaChoiceOnBootTests {

	private static final Instant T = Instant.parse("2026-11-21T09:00:00Z");

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class));

	@Test
	void restoresTheReplicaThatKeptReceivingWritesRatherThanTheFirstConfigured(CapturedOutput output)
			throws IOException {
		Path db = this.dir.resolve("data/app.db");
		Path a = this.dir.resolve("a");
		Path b = this.dir.resolve("b");
		String url = "spring.datasource.url=jdbc:sqlite:" + db;
		ApplicationContextRunner application = this.runner
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class));
		ApplicationContextRunner both = application.withPropertyValues(url, "litestream.dbs[0].replicas[0].name=a",
				"litestream.dbs[0].replicas[0].path=" + a, "litestream.dbs[0].replicas[1].name=b",
				"litestream.dbs[0].replicas[1].path=" + b);
		both.run((context) -> {
			assertThat(context).hasNotFailed();
			ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 100);
		});
		// For a while only b is configured: the application keeps running and writes more.
		application
			.withPropertyValues(url, "litestream.dbs[0].replicas[0].name=b", "litestream.dbs[0].replicas[0].path=" + b)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ReplicationTestApplication.writeRows(context.getBean(DataSource.class), 100);
			});
		// a stopped receiving writes long before b did (set, so file time resolution can't tie them).
		setObjectTimes(a, Instant.now().minus(Duration.ofDays(1)));
		loseTheDisk(db);

		both.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(rows(db, "item")).isEqualTo(200);
		});
		assertThat(output).contains("Restoring " + db + " from replica 'b': its newest backup, at ")
			.containsPattern("Passing over replica 'a' for " + Pattern.quote(db.toString()) + ": its newest backup, at \\S+ \\(generation "
					+ "[0-9a-f]{16}, index [0-9a-f]{8}\\), ends at \\S+, behind replica 'b', which holds the same "
					+ "generation up to ");
	}

	@Test
	void aReplicaWithoutABackupIsPassedOver() throws IOException {
		Path empty = Files.createDirectories(this.dir.resolve("empty"));
		Path full = Fixture.copyReplica(this.dir.resolve("full"));
		assertThat(restoreRows("empty", empty, "full", full)).isEqualTo(301);
	}

	@Test
	void equallyRecentReplicasOfOneGenerationAreChosenByHowFarTheyGo(CapturedOutput output) throws IOException {
		// Times that tie (S3 and SFTP keep whole seconds) must not let configuration order pick
		// the replica that holds less of the same history.
		Path[] replicas = shorterAndFullAtTheSameTime("first");
		assertThat(restoreRows("shorter", replicas[0], "full", replicas[1])).isEqualTo(301);
		assertThat(output).contains("Passing over replica 'shorter' for " + this.dir.resolve("data/app.db")
				+ ": its newest backup, at " + T + " (generation " + Fixture.GENERATION
				+ ", index 00000024), ends at " + Fixture.GENERATION + "/00000024:");
		loseTheDisk(this.dir.resolve("data/app.db"));
		// Fresh copies: the first application replicated its new generation into both.
		replicas = shorterAndFullAtTheSameTime("second");
		assertThat(restoreRows("full", replicas[1], "shorter", replicas[0])).isEqualTo(301);
	}

	@Test
	void aNewerGenerationWithoutASnapshotIsNamedWhenItsOlderOneIsRestored(CapturedOutput output) throws IOException {
		// A new generation whose snapshot never landed (the host died during its upload): its
		// WAL restores nothing, and the restore of the older generation must say what it lacks.
		Path replica = Fixture.copyReplica(this.dir.resolve("replica"));
		setObjectTimes(replica, T);
		String newer = "00000000000000aa";
		Path wal = Files.createDirectories(replica.resolve("generations").resolve(newer).resolve("wal"));
		Path segment = wal.resolve("00000000_00000000.wal.lz4");
		Files.copy(generation(replica).resolve("wal/00000000_00000000.wal.lz4"), segment);
		Files.setLastModifiedTime(segment, FileTime.from(T.plus(Duration.ofMinutes(5))));
		assertThat(restoreRows("only", replica)).isEqualTo(301);
		assertThat(output).contains("holds newer generations [" + newer + "] without a snapshot yet")
			.contains("its latest backup is in generation " + Fixture.GENERATION);
	}

	/**
	 * Two fixture copies whose newest objects have the same time: "shorter" holds history
	 * up to 0x24 only, "full" all of it.
	 */
	private Path[] shorterAndFullAtTheSameTime(String dir) throws IOException {
		Path shorter = historyUpTo(0x24, Fixture.copyReplica(this.dir.resolve(dir).resolve("shorter")));
		Path full = Fixture.copyReplica(this.dir.resolve(dir).resolve("full"));
		setObjectTimes(shorter, T);
		setObjectTimes(full, T);
		return new Path[] { shorter, full };
	}

	@Test
	void fallBackPassesOverTheMostRecentReplicaWhenDamagedForTheNextMostRecent(CapturedOutput output)
			throws IOException {
		Path[] replicas = oldIntactNewestDamagedMiddleIntact();
		assertThat(restoreRows("restore.fall-back=true", "old", replicas[0], "newest", replicas[1], "middle",
				replicas[2]))
			.isEqualTo(301);
		assertThat(output).contains("Replica 'newest' of " + this.dir.resolve("data/app.db")
				+ " holds a damaged backup");
	}

	@Test
	void withoutFallBackADamagedMostRecentReplicaFailsStartup() throws IOException {
		Path[] replicas = oldIntactNewestDamagedMiddleIntact();
		Path db = this.dir.resolve("data/app.db");
		this.runner.withPropertyValues(replicaProperties(db, "old", replicas[0], "newest", replicas[1], "middle",
				replicas[2]))
			.run((context) -> {
				var analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription())
					.startsWith("could not restore " + db + " from replica 'newest' (" + replicas[1] + "): ")
					.contains("00000027_00000000.wal.lz4");
				assertThat(analysis.getAction()).contains("Make replica 'newest' readable and restart")
					.contains("litestream.dbs[0].restore.enabled=false")
					.contains("litestream.dbs[0].restore.fall-back=true");
				assertThat(db).doesNotExist();
			});
	}

	@Test
	void whenEveryReplicaIsDamagedTheMostRecentRestoresItsNewestIntactPoint() throws IOException {
		Path older = damaged(Fixture.copyReplica(this.dir.resolve("older")), "00000025");
		Path newer = damaged(Fixture.copyReplica(this.dir.resolve("newer")), "00000027");
		setObjectTimes(older, T);
		setObjectTimes(newer, T.plusSeconds(60));
		// older falls back to index 0x24 (277 rows), newer to 0x26 (289 rows).
		assertThat(restoreRows("restore.fall-back=true", "older", older, "newer", newer)).isEqualTo(289);
	}

	@Test
	void anUnreadableReplicaFailsStartupEvenWhenAnotherHoldsABackup() throws IOException {
		Path full = Fixture.copyReplica(this.dir.resolve("full"));
		Path broken = Files.createDirectories(this.dir.resolve("broken"));
		// A file where the generations directory belongs: listing it fails with an I/O error.
		Files.writeString(broken.resolve("generations"), "not a directory");
		Path db = this.dir.resolve("data/app.db");
		this.runner.withPropertyValues(replicaProperties(db, "full", full, "broken", broken))
			.run((context) -> {
				var analysis = LitestreamAutoConfigurationTests.analysis(context.getStartupFailure());
				assertThat(analysis.getDescription())
					.startsWith("could not restore " + db + " from replica 'broken' (" + broken + "): ")
					// The JDK's message is only the file; its type says what is wrong with it.
					.endsWith("NotDirectoryException: " + broken.resolve("generations"));
				assertThat(analysis.getAction()).contains("Make replica 'broken' readable and restart")
					.contains("litestream.dbs[0].restore.enabled=false to start without restoring")
					.doesNotContain("fall-back");
				assertThat(db).doesNotExist();
			});
	}

	/**
	 * Three fixture copies: "old" holds history up to 0x24 only, "newest" is complete but its
	 * index 0x27 is corrupt (falling back gives 0x26), "middle" is complete and intact.
	 */
	private Path[] oldIntactNewestDamagedMiddleIntact() throws IOException {
		Path old = historyUpTo(0x24, Fixture.copyReplica(this.dir.resolve("old")));
		Path newest = damaged(Fixture.copyReplica(this.dir.resolve("newest")), "00000027");
		Path middle = Fixture.copyReplica(this.dir.resolve("middle"));
		setObjectTimes(old, T);
		setObjectTimes(newest, T.plusSeconds(120));
		setObjectTimes(middle, T.plusSeconds(60));
		return new Path[] { old, newest, middle };
	}

	private int restoreRows(Object... settingAndReplicas) {
		Path db = this.dir.resolve("data/app.db");
		this.runner.withPropertyValues(replicaProperties(db, settingAndReplicas))
			.run((context) -> assertThat(context).hasNotFailed());
		return rows(db, "t");
	}

	/**
	 * The database's path and its replicas from name-path pairs, optionally preceded by one
	 * {@code litestream.dbs[0].} setting.
	 */
	private static String[] replicaProperties(Path db, Object... settingAndReplicas) {
		Stream.Builder<String> properties = Stream.builder();
		properties.add("litestream.dbs[0].path=" + db);
		int first = 0;
		if (settingAndReplicas.length % 2 == 1) {
			properties.add("litestream.dbs[0]." + settingAndReplicas[0]);
			first = 1;
		}
		for (int i = first; i < settingAndReplicas.length; i += 2) {
			int replica = (i - first) / 2;
			properties.add("litestream.dbs[0].replicas[" + replica + "].name=" + settingAndReplicas[i]);
			properties.add("litestream.dbs[0].replicas[" + replica + "].path=" + settingAndReplicas[i + 1]);
		}
		return properties.build().toArray(String[]::new);
	}

	private static Path damaged(Path replica, String index) throws IOException {
		ReplicaDamage.flipByte(generation(replica).resolve("wal/" + index + "_00000000.wal.lz4"));
		return replica;
	}

	/**
	 * Deletes every object after {@code index}, as if the replica had stopped receiving writes
	 * there.
	 */
	private static Path historyUpTo(long index, Path replica) throws IOException {
		try (Stream<Path> files = Files.walk(generation(replica))) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				if (Long.parseLong(file.getFileName().toString().substring(0, 8), 16) > index) {
					Files.delete(file);
				}
			}
		}
		return replica;
	}

	private static Path generation(Path replica) {
		return replica.resolve("generations").resolve(Fixture.GENERATION);
	}

	private static void setObjectTimes(Path replica, Instant time) throws IOException {
		try (Stream<Path> files = Files.walk(replica.resolve("generations"))) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				Files.setLastModifiedTime(file, FileTime.from(time));
			}
		}
	}

	private static void loseTheDisk(Path db) throws IOException {
		try (Stream<Path> files = Files.list(db.getParent())) {
			for (Path file : files.toList()) {
				FileSystemUtils.deleteRecursively(file);
			}
		}
		assertThat(db).doesNotExist();
	}

	private static Integer rows(Path db, String table) {
		SimpleDriverDataSource dataSource = new SimpleDriverDataSource(new org.sqlite.JDBC(), "jdbc:sqlite:" + db);
		return new JdbcTemplate(dataSource).queryForObject("SELECT count(*) FROM " + table, Integer.class);
	}

}

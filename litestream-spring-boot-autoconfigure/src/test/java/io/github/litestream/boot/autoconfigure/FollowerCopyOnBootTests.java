package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.db.FollowerCopyMark;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.restore.Fixture;
import io.github.litestream.restore.RestoreOptions;
import io.github.litestream.restore.Restorer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A database file that a follower built and never handed over (it stopped part way, and may
 * have torn a page) is not an application's database: restore-on-boot sets it aside and
 * restores in its place; with restore-on-boot off, startup fails naming the file and the fix.
 */
@ExtendWith(OutputCaptureExtension.class)
class FollowerCopyOnBootTests {

	@TempDir
	Path dir;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LitestreamAutoConfiguration.class));

	@Test
	void restoreOnBootSetsATornFollowerCopyAsideAndRestoresInItsPlace(CapturedOutput output) throws Exception {
		Path replica = Fixture.copyReplica(this.dir.resolve("replica"));
		Path db = tornFollowerCopy(replica);
		byte[] torn = Files.readAllBytes(db);
		this.runner.withPropertyValues("litestream.dbs[0].path=" + db, "litestream.dbs[0].replicas[0].path=" + replica)
			.run((context) -> assertThat(context).hasNotFailed());
		Fixture.Expected latest = Fixture.expected().stream().filter((row) -> row.index() == null).findFirst()
			.orElseThrow();
		assertThat(rowsOfT(db)).as("count, max(seq), sum(seq)")
			.containsExactly(latest.count(), latest.maxSeq(), latest.sumSeq());
		List<Path> aside = setAside(db);
		assertThat(aside).hasSize(1);
		assertThat(Files.readAllBytes(aside.get(0))).isEqualTo(torn);
		assertThat(FollowerCopyMark.of(db)).doesNotExist();
		assertThat(output.getOut()).contains(db + " was the copy of a follower of " + replica)
			.contains("it is kept as " + aside.get(0));
	}

	@Test
	void withRestoreOnBootOffATornFollowerCopyFailsTheStart() throws Exception {
		Path replica = Fixture.copyReplica(this.dir.resolve("replica"));
		Path db = tornFollowerCopy(replica);
		byte[] torn = Files.readAllBytes(db);
		this.runner
			.withPropertyValues("litestream.dbs[0].path=" + db, "litestream.dbs[0].restore.enabled=false",
					"litestream.dbs[0].replicas[0].path=" + replica)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("Cannot replicate " + db + ": it is the copy of a follower of " + replica)
				.hasMessageContaining(FollowerCopyMark.of(db).toString()));
		assertThat(Files.readAllBytes(db)).as("left as it was").isEqualTo(torn);
		assertThat(setAside(db)).isEmpty();
	}

	/** What a follower that stopped while it wrote a segment's pages leaves: a marked, torn file. */
	private Path tornFollowerCopy(Path replica) throws IOException {
		Path db = Files.createDirectories(this.dir.resolve("data")).resolve("app.db");
		FileReplicaClient client = new FileReplicaClient(replica);
		assertThat(new Restorer().restore(client, RestoreOptions.latest(db)).restored()).isTrue();
		FollowerCopyMark.mark(db, client.location());
		try (FileChannel file = FileChannel.open(db, StandardOpenOption.WRITE)) {
			byte[] garbage = new byte[4096];
			Arrays.fill(garbage, (byte) 0x5a);
			file.write(ByteBuffer.wrap(garbage), 4096);
		}
		return db;
	}

	private static List<Path> setAside(Path db) throws IOException {
		try (Stream<Path> files = Files.list(db.getParent())) {
			return files.filter((file) -> file.getFileName().toString().startsWith("app.db.follower-copy-")).toList();
		}
	}

	private static List<Long> rowsOfT(Path db) throws Exception {
		try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db)) {
			return new JdbcTemplate(new SingleConnectionDataSource(connection, true)).queryForObject(
					"SELECT count(*), max(seq), sum(seq) FROM t",
					(row, n) -> List.of(row.getLong(1), row.getLong(2), row.getLong(3)));
		}
	}

}

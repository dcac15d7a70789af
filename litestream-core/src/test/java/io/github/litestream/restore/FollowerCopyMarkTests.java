package io.github.litestream.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.Litestream;
import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.LocalCopy;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.FollowerCopyMark;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.awaitility.Awaitility.await;

/**
 * A follower writes its file's pages in place, so one that stops part way may leave a torn
 * file. Its {@link FollowerCopyMark} says so from before the file first appears until the
 * hand-over: the engine refuses such a file, a restore that keeps existing files sets it aside
 * and restores in its place, and a standby counts it stale.
 */
class FollowerCopyMarkTests {

	private static final FollowerOptions ONE_WORKER = new FollowerOptions(Duration.ofMillis(50),
			Duration.ofMillis(400), 1);

	@TempDir
	Path temp;

	private Path replica;

	private Path output;

	@BeforeEach
	void copyTheFixture() throws IOException {
		this.replica = Fixture.copyReplica(this.temp.resolve("replica"));
		this.output = Files.createDirectories(this.temp.resolve("out")).resolve("app.db");
	}

	@Test
	void aFollowersFileIsMarkedUntilItIsHandedOver() throws Exception {
		ReplicaFollower follower = new ReplicaFollower(new FileReplicaClient(this.replica), this.output, ONE_WORKER);
		follower.start();
		try {
			await().atMost(Duration.ofSeconds(60)).until(() -> follower.status().caughtUp());
			assertThat(FollowerCopyMark.writer(this.output)).as("the mark while it follows")
				.hasValueSatisfying((writer) -> assertThat(writer).startsWith("a follower of " + this.replica));
			assertThatIOException().isThrownBy(() -> replicate(this.output))
				.withMessageContaining("Cannot replicate " + this.output + ": it is the copy of a follower of ")
				.withMessageContaining(FollowerCopyMark.of(this.output).toString())
				.withMessageContaining("that follower still writes it, or it stopped part way");
		}
		finally {
			assertThat(follower.stop(Duration.ofSeconds(30))).isPresent();
		}
		assertThat(FollowerCopyMark.of(this.output)).as("gone once handed over").doesNotExist();
		assertThat(LocalCopy.of(this.output, new FileReplicaClient(this.replica))).isEqualTo(LocalCopy.CURRENT);
		try (Litestream litestream = replicate(this.output)) {
			assertThat(litestream.databases()).hasSize(1);
		}
	}

	@Test
	void aTornCopyOfAFollowerThatStoppedOnItsOwnIsRefusedOrSetAsideNeverUsed() throws Exception {
		Path torn = tornCopy();
		byte[] tornBytes = Files.readAllBytes(torn);

		assertThatIOException().isThrownBy(() -> replicate(torn))
			.withMessageContaining("Cannot replicate " + torn + ": it is the copy of a follower of " + this.replica)
			.withMessageContaining("restore with if-db-not-exists, which sets such a file aside first");
		assertThatExceptionOfType(RestoreException.class)
			.isThrownBy(() -> new Restorer().restore(new FileReplicaClient(this.replica), RestoreOptions.latest(torn)))
			.withMessageContaining("Cannot restore to " + torn + ": the file exists, the copy of a follower of "
					+ this.replica)
			.withMessageContaining(FollowerCopyMark.of(torn).toString());
		assertThatExceptionOfType(RestoreException.class)
			.isThrownBy(() -> new ReplicaFollower(new FileReplicaClient(this.replica), torn, ONE_WORKER).start())
			.withMessageContaining("it is the copy of a follower of " + this.replica + " (process ")
			.withMessageContaining("delete it with its -wal and -shm files and " + FollowerCopyMark.of(torn));
		assertThat(Files.readAllBytes(torn)).as("left as it was").isEqualTo(tornBytes);

		RestoreResult result = new Restorer().restore(new FileReplicaClient(this.replica),
				RestoreOptions.latest(torn).withConditions(true, false));

		assertThat(result.restored()).isTrue();
		assertThat(RestoredDatabase.summary(torn, null)).isEqualTo(latest());
		assertThat(FollowerCopyMark.of(torn)).doesNotExist();
		List<Path> aside = siblings(torn, "app.db.follower-copy-");
		assertThat(aside).hasSize(1);
		assertThat(Files.readAllBytes(aside.get(0))).as("kept, never deleted").isEqualTo(tornBytes);
		try (Litestream litestream = replicate(torn)) {
			assertThat(litestream.databases()).hasSize(1);
		}
	}

	@Test
	void aStandbyCountsAMarkedCopyStaleEvenWhereTheReplicaEnds() throws Exception {
		ReplicaFollower follower = new ReplicaFollower(new FileReplicaClient(this.replica), this.output, ONE_WORKER);
		follower.start();
		await().atMost(Duration.ofSeconds(60)).until(() -> follower.status().caughtUp());
		assertThat(follower.stop(Duration.ofSeconds(30))).isPresent();
		FileReplicaClient client = new FileReplicaClient(this.replica);
		assertThat(LocalCopy.of(this.output, client)).isEqualTo(LocalCopy.CURRENT);

		FollowerCopyMark.mark(this.output, client.location());

		assertThat(LocalCopy.of(this.output, client)).isEqualTo(LocalCopy.STALE);
	}

	@Test
	void aMarkLeftAloneByAFollowerKilledBeforeItsFirstRestoreMeansNothing() throws Exception {
		FollowerCopyMark.mark(this.output, "file:///elsewhere");
		assertThat(FollowerCopyMark.writer(this.output)).as("no file, no copy").isEmpty();

		assertThat(new Restorer().restore(new FileReplicaClient(this.replica), RestoreOptions.latest(this.output))
			.restored()).isTrue();

		assertThat(FollowerCopyMark.of(this.output)).doesNotExist();
		assertThat(RestoredDatabase.summary(this.output, null)).isEqualTo(latest());
		Path fresh = this.output.resolveSibling("fresh.db");
		FollowerCopyMark.mark(fresh, "file:///elsewhere");
		try (Litestream litestream = replicate(fresh)) {
			assertThat(FollowerCopyMark.of(fresh)).as("removed when the engine creates the file").doesNotExist();
		}
		try (Litestream litestream = replicate(fresh)) {
			assertThat(litestream.databases()).as("and the file opens again").hasSize(1);
		}
	}

	/**
	 * A follower's file after its thread died of an error: caught up, then a page torn as an
	 * interrupted write leaves it.
	 */
	private Path tornCopy() throws Exception {
		boolean[] broken = { false };
		ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(this.replica)) {
			@Override
			public List<String> generations() throws IOException {
				if (broken[0]) {
					throw new NoClassDefFoundError("com/example/MissingSdkClass");
				}
				return super.generations();
			}
		};
		ReplicaFollower follower = new ReplicaFollower(client, this.output, ONE_WORKER);
		follower.start();
		await().atMost(Duration.ofSeconds(60)).until(() -> follower.status().caughtUp());
		broken[0] = true;
		await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).until(() -> !follower.isRunning());
		assertThatIOException().isThrownBy(() -> follower.stop(Duration.ofSeconds(30)))
			.withMessageContaining("is not handed over");
		try (FileChannel file = FileChannel.open(this.output, StandardOpenOption.WRITE)) {
			byte[] garbage = new byte[4096];
			Arrays.fill(garbage, (byte) 0x5a);
			file.write(ByteBuffer.wrap(garbage), 4096);
		}
		return this.output;
	}

	private Litestream replicate(Path database) throws IOException {
		Litestream litestream = new Litestream();
		try {
			litestream.addDatabase(DatabaseOptions.defaults(database),
					List.of(new ReplicationTarget(
							new FileReplicaClient(this.temp.resolve("replica-of-" + database.getFileName())),
							ReplicaOptions.defaults("file"))));
			litestream.start();
			return litestream;
		}
		catch (IOException | RuntimeException ex) {
			litestream.close();
			throw ex;
		}
	}

	private static List<Path> siblings(Path file, String prefix) throws IOException {
		try (Stream<Path> files = Files.list(file.getParent())) {
			return files.filter((path) -> path.getFileName().toString().startsWith(prefix)).toList();
		}
	}

	private static Fixture.Expected latest() {
		return Fixture.expected().stream().filter((row) -> row.index() == null).findFirst().orElseThrow();
	}

}

package io.github.litestream.replica;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What retention deletes of the generations other than the current one: each once none of its
 * objects is within the retention period, so never one still written to within it (another
 * writer's history, which no later generation may hold), even when its snapshots are older.
 */
class RetentionPolicyTests {

	private static final String OLD = "00000000000000aa";

	private static final String CURRENT = "00000000000000bb";

	private final Instant now = Instant.now();

	@TempDir
	Path dir;

	@Test
	void anOtherGenerationWhoseEveryObjectIsOlderThanThePeriodGoes() throws IOException {
		FileReplicaClient client = replica(hoursAgo(26), hoursAgo(25));
		enforce(client);
		assertThat(client.generations()).containsExactly(CURRENT);
	}

	@Test
	void anOtherGenerationWrittenToWithinThePeriodIsKeptAlthoughItsSnapshotsAreOlder() throws IOException {
		FileReplicaClient client = replica(hoursAgo(25), hoursAgo(1));
		enforce(client);
		assertThat(client.generations()).containsExactly(OLD, CURRENT);
	}

	@Test
	void trimmingTheCurrentGenerationDoesNotLiftTheProtection() throws IOException {
		// The current generation's oldest objects go at the first pass; the other generation's
		// last write, 20 hours ago, is still within the period at the second.
		FileReplicaClient client = replica(hoursAgo(25), hoursAgo(20));
		client.writeSnapshot(CURRENT, 1, new ByteArrayInputStream(new byte[] { 4 }));
		setTimes(this.dir.resolve("replica/generations/" + CURRENT + "/snapshots/00000000.snapshot.lz4"), hoursAgo(30));
		enforce(client);
		enforce(client);
		assertThat(client.generations()).containsExactly(OLD, CURRENT);
		assertThat(client.snapshots(CURRENT)).extracting(SnapshotInfo::index).containsExactly(1L);
	}

	@Test
	void aPassThatListsNoOtherGenerationLeavesThemAndStillTrimsTheCurrentOne() throws IOException {
		// The replica found its store empty before it began: what another writer stored since (here
		// with old times, as a copy that kept them) is left to a later pass, which lists it.
		FileReplicaClient client = replica(hoursAgo(26), hoursAgo(25));
		client.writeSnapshot(CURRENT, 1, new ByteArrayInputStream(new byte[] { 4 }));
		setTimes(this.dir.resolve("replica/generations/" + CURRENT + "/snapshots/00000000.snapshot.lz4"), hoursAgo(30));
		new RetentionPolicy(client, hoursAgo(24)).enforce(CURRENT, new SnapshotCatalog(), -1, false);
		assertThat(client.generations()).containsExactly(OLD, CURRENT);
		assertThat(client.snapshots(CURRENT)).extracting(SnapshotInfo::index).containsExactly(1L);
		enforce(client);
		assertThat(client.generations()).containsExactly(CURRENT);
	}

	private void enforce(FileReplicaClient client) throws IOException {
		new RetentionPolicy(client, hoursAgo(24)).enforce(CURRENT, new SnapshotCatalog());
	}

	private Instant hoursAgo(int hours) {
		return this.now.minus(Duration.ofHours(hours));
	}

	/**
	 * The old generation: a snapshot at {@code snapshotTime} and a segment written at
	 * {@code lastWrite}; the current one: a snapshot from two hours ago.
	 */
	private FileReplicaClient replica(Instant snapshotTime, Instant lastWrite) throws IOException {
		Path root = this.dir.resolve("replica");
		FileReplicaClient client = new FileReplicaClient(root);
		client.writeSnapshot(OLD, 0, new ByteArrayInputStream(new byte[] { 1 }));
		client.writeWalSegment(new Pos(OLD, 0, 0), new ByteArrayInputStream(new byte[] { 2 }));
		client.writeSnapshot(CURRENT, 0, new ByteArrayInputStream(new byte[] { 3 }));
		setTimes(root.resolve("generations/" + OLD + "/snapshots"), snapshotTime);
		setTimes(root.resolve("generations/" + OLD + "/wal"), lastWrite);
		setTimes(root.resolve("generations/" + CURRENT), hoursAgo(2));
		return client;
	}

	private static void setTimes(Path directory, Instant time) throws IOException {
		try (Stream<Path> files = Files.walk(directory)) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				Files.setLastModifiedTime(file, FileTime.from(time));
			}
		}
	}

}

package io.github.litestream.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;

import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link RestorePlanner}'s choices of generation, snapshot and WAL range on the Litestream
 * fixture, with a second generation copied from it under other object times.
 */
class RestorePlannerTests {

	private static final Instant BASE = Instant.parse("2025-03-01T10:00:00Z");

	private static final String OTHER = "00000000000000aa";

	@TempDir
	Path temp;

	private Path root;

	private FileReplicaClient client;

	@BeforeEach
	void copyFixture() throws IOException {
		this.root = Fixture.copyReplica(this.temp.resolve("replica"));
		Fixture.setSyntheticTimes(this.root, BASE);
		this.client = new FileReplicaClient(this.root);
	}

	@Test
	void plansTheLatestStateFromTheHighestSnapshot() throws IOException {
		RestorePlan plan = plan(RestoreOptions.latest(this.temp.resolve("x.db")));
		assertThat(plan.generation()).isEqualTo(Fixture.GENERATION);
		assertThat(plan.snapshot().index()).isEqualTo(0x23);
		assertThat(plan.walIndexes()).extracting(RestorePlan.WalIndex::index).containsExactly(0x23L, 0x24L, 0x25L, 0x26L, 0x27L, 0x28L);
		assertThat(plan.walIndexes().get(0).segments()).extracting((segment) -> segment.offset()).containsExactly(0L, 0x1038L);
		assertThat(plan.segmentCount()).isEqualTo(14);
		assertThat(plan.toString()).contains(Fixture.GENERATION, "snapshot 00000023", "WAL 00000023..00000028",
				"14 segments", this.client.location());
	}

	@Test
	void plansAnIndexFromTheLatestSnapshotBelowIt() throws IOException {
		RestorePlan plan = plan(RestoreOptions.latest(this.temp.resolve("x.db")).withIndex(0x18));
		assertThat(plan.snapshot().index()).isEqualTo(0x0a);
		assertThat(plan.targetIndex()).isEqualTo(0x18);
		assertThat(plan.walIndexes()).hasSize(0x18 - 0x0a + 1);
	}

	@Test
	void choosesTheGenerationWithTheNewestObject() throws IOException {
		copyGeneration(OTHER, BASE.plusSeconds(86_400));
		assertThat(plan(RestoreOptions.latest(this.temp.resolve("x.db"))).generation()).isEqualTo(OTHER);
		copyGeneration(OTHER, BASE.minusSeconds(86_400));
		assertThat(plan(RestoreOptions.latest(this.temp.resolve("x.db"))).generation()).isEqualTo(Fixture.GENERATION);
		assertThat(plan(RestoreOptions.latest(this.temp.resolve("x.db")).withGeneration(OTHER)).generation())
			.isEqualTo(OTHER);
	}

	@Test
	void ofTwoGenerationsWhoseNewestObjectsTieTheOneStartedLaterIsChosen() throws IOException {
		// Whole seconds (S3, SFTP): the old generation's last segment and the new one's objects
		// can share a second. The new one holds what made it start; its name says nothing.
		Instant newest = new RestorePlanner(this.client).newestBackup().orElseThrow().updatedAt();
		copyGeneration(OTHER, newest);
		assertThat(OTHER).isLessThan(Fixture.GENERATION);
		assertThat(plan(RestoreOptions.latest(this.temp.resolve("x.db"))).generation()).isEqualTo(OTHER);
		assertThat(new RestorePlanner(this.client).newestBackup().orElseThrow().generation()).isEqualTo(OTHER);
	}

	@Test
	void aNewerGenerationWithoutASnapshotIsPassedOverAndTheLatestPlanSaysSo() throws IOException {
		copyGeneration(OTHER, BASE.plusSeconds(86_400));
		try (Stream<Path> snapshots = Files.list(this.root.resolve("generations/" + OTHER + "/snapshots"))) {
			for (Path snapshot : snapshots.toList()) {
				Files.delete(snapshot);
			}
		}
		RestorePlan latest = plan(RestoreOptions.latest(this.temp.resolve("x.db")));
		assertThat(latest.generation()).isEqualTo(Fixture.GENERATION);
		assertThat(latest.passedOver()).containsExactly(OTHER);
		assertThat(plan(RestoreOptions.latest(this.temp.resolve("x.db")).withIndex(0x18)).passedOver())
			.as("a restore to a chosen point passes over nothing").isEmpty();
		copyGeneration(OTHER, BASE.minusSeconds(86_400));
		try (Stream<Path> snapshots = Files.list(this.root.resolve("generations/" + OTHER + "/snapshots"))) {
			for (Path snapshot : snapshots.toList()) {
				Files.delete(snapshot);
			}
		}
		assertThat(plan(RestoreOptions.latest(this.temp.resolve("x.db"))).passedOver())
			.as("an older generation without a snapshot is no loss").isEmpty();
	}

	@Test
	void withATimestampOnlyGenerationsWithAnEarlierSnapshotQualify() throws IOException {
		copyGeneration(OTHER, BASE.plusSeconds(86_400));
		RestorePlan plan = plan(RestoreOptions.latest(this.temp.resolve("x.db")).withTimestamp(BASE.plusSeconds(0x10 * 60 + 30)));
		assertThat(plan.generation()).isEqualTo(Fixture.GENERATION);
		assertThat(plan.snapshot().index()).isEqualTo(0x0a);
		assertThat(plan.targetIndex()).isEqualTo(0x10);
	}

	@Test
	void aSnapshotIsOnlyUsedWithEverySegmentOfItsIndexStoredBeforeIt() throws IOException {
		// Snapshot 0a was stored after its index's segment at 0x1038, but the segment at offset 0
		// carries a later time (object times out of order): a restore to a point after the
		// snapshot would stop before 0x1038 and must start from an earlier snapshot instead.
		Instant snapshotStored = BASE.plusSeconds(0x0a * 60 + 3);
		setTime("snapshots/0000000a.snapshot.lz4", snapshotStored);
		setTime("wal/0000000a_00000000.wal.lz4", BASE.plusSeconds(0x0a * 60 + 30));
		RestorePlan plan = plan(RestoreOptions.latest(this.temp.resolve("x.db")).withTimestamp(snapshotStored.plusSeconds(7)));
		assertThat(plan.snapshot().index()).isEqualTo(0x00);
		assertThat(plan.targetIndex()).isEqualTo(0x09);
	}

	@Test
	void aPointNoSnapshotReachesConsistentlyIsAnError() throws IOException {
		Instant snapshotStored = BASE.plusSeconds(0x0a * 60 + 3);
		setTime("snapshots/0000000a.snapshot.lz4", snapshotStored);
		setTime("wal/0000000a_00000000.wal.lz4", BASE.plusSeconds(0x0a * 60 + 30));
		Files.delete(generation().resolve("snapshots/00000000.snapshot.lz4"));
		assertThatExceptionOfType(RestoreException.class)
			.isThrownBy(() -> plan(RestoreOptions.latest(this.temp.resolve("x.db")).withTimestamp(snapshotStored.plusSeconds(7))))
			.withMessageContaining("snapshot 0000000a")
			.withMessageContaining("0000000a_00001038.wal.lz4")
			.withMessageContaining("choose a timestamp at or after " + BASE.plusSeconds(0x0a * 60 + 1));
		assertThat(plan(RestoreOptions.latest(this.temp.resolve("x.db")).withTimestamp(BASE.plusSeconds(0x0a * 60 + 30)))
			.snapshot()
			.index()).isEqualTo(0x0a);
	}

	@Test
	void emptyReplicaHasNoPlan() throws IOException {
		assertThat(new RestorePlanner(new FileReplicaClient(this.temp.resolve("empty")))
			.plan(RestoreOptions.latest(this.temp.resolve("x.db")))).isEmpty();
	}

	@Test
	void indexBelowTheFirstSnapshotIsAnError() throws IOException {
		Files.delete(this.root.resolve("generations/" + Fixture.GENERATION + "/snapshots/00000000.snapshot.lz4"));
		assertThatExceptionOfType(RestoreException.class)
			.isThrownBy(() -> plan(RestoreOptions.latest(this.temp.resolve("x.db")).withIndex(5)))
			.withMessageContaining("has no snapshot at or below index 00000005")
			.withMessageContaining("restore index 0000000a or later");
	}

	private RestorePlan plan(RestoreOptions options) throws IOException {
		return new RestorePlanner(this.client).plan(options).orElseThrow();
	}

	private Path generation() {
		return this.root.resolve("generations/" + Fixture.GENERATION);
	}

	private void setTime(String object, Instant time) throws IOException {
		Files.setLastModifiedTime(generation().resolve(object), FileTime.from(time));
	}

	private void copyGeneration(String name, Instant base) throws IOException {
		Path source = this.root.resolve("generations/" + Fixture.GENERATION);
		Path target = this.root.resolve("generations/" + name);
		try (Stream<Path> tree = Files.walk(source)) {
			for (Path path : tree.toList()) {
				Path copy = target.resolve(source.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(copy);
				}
				else {
					Files.copy(path, copy, StandardCopyOption.REPLACE_EXISTING);
					Files.setLastModifiedTime(copy, FileTime.from(base));
				}
			}
		}
	}

}

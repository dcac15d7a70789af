package io.github.litestream.restore;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link ReplicaChooser} on copies of the Litestream v0.3.14 fixture with set object times:
 * each object of index {@code i} is at {@code base + i minutes} (plus a second per segment),
 * so the fixture's newest object, the last segment of index 0x28, is at
 * {@code base + 40 minutes + 1 second}.
 */
class ReplicaChooserTests {

	private static final Instant BASE = Instant.parse("2026-11-21T09:00:00Z");

	private static final Instant NEWEST_OF_FIXTURE = BASE.plusSeconds(0x28 * 60 + 1);

	/** A second generation, added next to the fixture's by some tests. */
	private static final String OTHER = "0000000000000001";

	@TempDir
	Path temp;

	@Test
	void newestBackupIsTheNewestObjectOfTheGenerationALatestRestoreReads() throws IOException {
		Path root = replica("r", BASE);
		// A newer generation without a snapshot can't be restored: it must not count.
		Path orphan = root.resolve("generations/" + OTHER + "/wal/00000000_00000000.wal.lz4");
		Files.createDirectories(orphan.getParent());
		Files.copy(generationDir(root).resolve("wal/00000000_00000000.wal.lz4"), orphan);
		Files.setLastModifiedTime(orphan, FileTime.from(NEWEST_OF_FIXTURE.plusSeconds(3600)));

		NewestBackup newest = newestBackup(root);

		assertThat(newest).isEqualTo(new NewestBackup(Fixture.GENERATION, 0x28, NEWEST_OF_FIXTURE));
		assertThat(newest.generation()).isEqualTo(latestPlan(root).generation());
	}

	@Test
	void newestBackupFollowsTheGenerationWhoseNewestObjectIsNewest() throws IOException {
		Path root = replica("r", BASE);
		// A restorable generation of one snapshot, stored after everything of the fixture's.
		Path snapshot = root.resolve("generations/" + OTHER + "/snapshots/00000003.snapshot.lz4");
		Files.createDirectories(snapshot.getParent());
		Files.copy(generationDir(root).resolve("snapshots/00000000.snapshot.lz4"), snapshot);
		Instant later = NEWEST_OF_FIXTURE.plusSeconds(1);
		Files.setLastModifiedTime(snapshot, FileTime.from(later));

		NewestBackup newest = newestBackup(root);

		assertThat(newest).isEqualTo(new NewestBackup(OTHER, 3, later));
		assertThat(newest.generation()).isEqualTo(latestPlan(root).generation());
	}

	@Test
	void replicaWhoseOnlyGenerationHasNoSnapshotHoldsNoBackup() throws IOException {
		Path root = this.temp.resolve("wal-only");
		Path segment = root.resolve("generations/" + OTHER + "/wal/00000000_00000000.wal.lz4");
		Files.createDirectories(segment.getParent());
		Files.copy(generationDir(Fixture.replica()).resolve("wal/00000000_00000000.wal.lz4"), segment);

		assertThat(candidate("wal-only", root).newestBackup()).isNull();
		assertThat(ReplicaChooser.rank(this.temp.resolve("app.db"), List.of(candidate("wal-only", root)))).isEmpty();
	}

	@Test
	void ranksByNewestBackupWithTiesInConfigurationOrderAndWithoutEmptyReplicas() throws IOException {
		List<ReplicaChooser.Candidate<String>> candidates = new ArrayList<>();
		candidates.add(candidate("old", replica("old", BASE)));
		candidates.add(candidate("empty", Files.createDirectories(this.temp.resolve("empty"))));
		candidates.add(candidate("new", replica("new", BASE.plusSeconds(3600))));
		candidates.add(candidate("middle", replica("middle", BASE.plusSeconds(60))));
		candidates.add(candidate("new-too", replica("new-too", BASE.plusSeconds(3600))));

		List<ReplicaChooser.Candidate<String>> ranked = ReplicaChooser.rank(this.temp.resolve("app.db"), candidates);

		assertThat(ranked).extracting(ReplicaChooser.Candidate::replica)
			.containsExactly("new", "new-too", "middle", "old");
		assertThat(ranked.get(0).newestBackup().updatedAt()).isEqualTo(NEWEST_OF_FIXTURE.plusSeconds(3600));
	}

	@Test
	void tiesAreBrokenByConfigurationOrderEitherWay() throws IOException {
		ReplicaChooser.Candidate<String> a = candidate("a", replica("a", BASE));
		ReplicaChooser.Candidate<String> b = candidate("b", replica("b", BASE));
		Path db = this.temp.resolve("app.db");

		assertThat(ReplicaChooser.rank(db, List.of(a, b))).containsExactly(a, b);
		assertThat(ReplicaChooser.rank(db, List.of(b, a))).containsExactly(b, a);
	}

	@Test
	void aReplicaBehindInTheSameGenerationRanksAfterOneAheadWhateverItsTimes() throws IOException {
		Path ahead = replica("ahead", BASE);
		Path behind = replica("behind", BASE);
		// The replica behind stored its last segment later (a slow upload of an older segment) or
		// within the same second: its times must not make it the first choice.
		Files.delete(generationDir(behind).resolve("wal/00000028_00001038.wal.lz4"));
		Files.setLastModifiedTime(generationDir(behind).resolve("wal/00000028_00000000.wal.lz4"),
				FileTime.from(NEWEST_OF_FIXTURE.plusSeconds(60)));
		Path db = this.temp.resolve("app.db");
		ReplicaChooser.Candidate<String> first = candidate("behind", behind);
		ReplicaChooser.Candidate<String> second = candidate("ahead", ahead);

		assertThat(first.newestBackup().updatedAt()).isAfter(second.newestBackup().updatedAt());
		assertThat(first.end()).isLessThan(second.end());
		assertThat(ReplicaChooser.rank(db, List.of(first, second))).containsExactly(second, first);
		Files.setLastModifiedTime(generationDir(behind).resolve("wal/00000028_00000000.wal.lz4"),
				FileTime.from(NEWEST_OF_FIXTURE));
		assertThat(ReplicaChooser.rank(db, List.of(candidate("behind", behind), second)))
			.extracting(ReplicaChooser.Candidate::replica)
			.containsExactly("ahead", "behind");
	}

	@Test
	void aNewestSegmentThatCannotBeReadRanksFromItsIndexStartInsteadOfFailing() throws IOException {
		// The restore finds the damage and the fall-back handles it; the ranking must not fail.
		Path damaged = replica("damaged", BASE);
		Path segment = generationDir(damaged).resolve("wal/00000028_00001038.wal.lz4");
		Files.write(segment, new byte[] { 1, 2, 3 });
		Files.setLastModifiedTime(segment, FileTime.from(NEWEST_OF_FIXTURE));

		ReplicaChooser.Candidate<String> candidate = candidate("damaged", damaged);

		assertThat(candidate.end()).isEqualTo(new Pos(Fixture.GENERATION, 0x28, 0));
	}

	@Test
	void aNewestSegmentThatFailsToDownloadFailsTheListingInsteadOfRankingTheReplicaBehind() throws IOException {
		// A timeout says nothing about how far the replica goes: ranked behind, it would lose to
		// a replica that is behind, and the restore would silently miss the newest commits.
		Path ahead = replica("ahead", BASE);
		try (ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(ahead)) {

			@Override
			public InputStream openWalSegment(Pos pos) throws IOException {
				throw new SocketTimeoutException("Read timed out");
			}

		}) {
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> ReplicaChooser.list("ahead", "ahead", client, 2))
				.withMessageContaining("Cannot read the newest WAL segment of replica 'ahead'")
				.withMessageContaining("Read timed out");
		}
		try (ReplicaClient client = new ForwardingReplicaClient(new FileReplicaClient(ahead)) {

			@Override
			public InputStream openWalSegment(Pos pos) throws IOException {
				InputStream in = super.openWalSegment(pos);
				return new FilterInputStream(in) {

					@Override
					public int read(byte[] buffer, int offset, int length) {
						throw new UncheckedIOException(new SocketException("Connection reset"));
					}

				};
			}

		}) {
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> ReplicaChooser.list("ahead", "ahead", client, 2))
				.withMessageContaining("Connection reset");
		}
	}

	@Test
	void equallyRecentReplicasOfDifferentGenerationsKeepConfigurationOrder() throws IOException {
		Path first = replica("first", BASE);
		Path second = replica("second", BASE);
		Path renamed = generationDir(second).resolveSibling("ffffffffffffffff");
		Files.move(generationDir(second), renamed);
		Path db = this.temp.resolve("app.db");
		ReplicaChooser.Candidate<String> a = candidate("first", first);
		ReplicaChooser.Candidate<String> b = candidate("second", second);

		assertThat(a.newestBackup().updatedAt()).isEqualTo(b.newestBackup().updatedAt());
		assertThat(ReplicaChooser.rank(db, List.of(a, b))).containsExactly(a, b);
		assertThat(ReplicaChooser.rank(db, List.of(b, a))).containsExactly(b, a);
	}

	@Test
	void unreadableReplicaFailsTheListing() throws IOException {
		Path broken = Files.createDirectories(this.temp.resolve("broken"));
		Files.writeString(broken.resolve("generations"), "not a directory");
		try (FileReplicaClient client = new FileReplicaClient(broken)) {
			assertThatExceptionOfType(IOException.class)
				.isThrownBy(() -> ReplicaChooser.list("broken", "broken", client, 2));
		}
	}

	private Path replica(String name, Instant base) throws IOException {
		Path root = Fixture.copyReplica(this.temp.resolve(name));
		Fixture.setSyntheticTimes(root, base);
		return root;
	}

	private static Path generationDir(Path root) {
		return root.resolve("generations").resolve(Fixture.GENERATION);
	}

	private static ReplicaChooser.Candidate<String> candidate(String name, Path root) throws IOException {
		try (FileReplicaClient client = new FileReplicaClient(root)) {
			return ReplicaChooser.list(name, name, client, 2);
		}
	}

	private static NewestBackup newestBackup(Path root) throws IOException {
		try (FileReplicaClient client = new FileReplicaClient(root)) {
			return new RestorePlanner(client).newestBackup().orElseThrow();
		}
	}

	private RestorePlan latestPlan(Path root) throws IOException {
		try (FileReplicaClient client = new FileReplicaClient(root)) {
			return new RestorePlanner(client).plan(RestoreOptions.latest(this.temp.resolve("out.db"))).orElseThrow();
		}
	}

}

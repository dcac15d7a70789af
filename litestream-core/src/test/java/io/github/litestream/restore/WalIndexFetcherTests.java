package io.github.litestream.restore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link WalIndexFetcher} on the Litestream fixture, under limits that send the segments down
 * each path: all in memory, all through the index's file (streamed, or decoded and then over
 * the budget), and a mix within one index. Every index must read back as exactly the
 * replica's bytes, the database built from them must equal the fixture's state at its last
 * index, and no temporary file may remain.
 */
class WalIndexFetcherTests {

	@TempDir
	Path temp;

	private FileReplicaClient client;

	private RestorePlan plan;

	@BeforeEach
	void planTheFixture() throws IOException {
		this.client = new FileReplicaClient(Fixture.copyReplica(this.temp.resolve("replica")));
		// From the first snapshot, so that every index of the fixture is fetched.
		Set<DamagedObject> laterSnapshots = Set.of(DamagedObject.snapshot(Fixture.GENERATION, 0x0a),
				DamagedObject.snapshot(Fixture.GENERATION, 0x19), DamagedObject.snapshot(Fixture.GENERATION, 0x23));
		this.plan = new RestorePlanner(this.client)
			.plan(RestoreOptions.latest(this.temp.resolve("unused.db")), laterSnapshots)
			.orElseThrow();
		assertThat(this.plan.snapshot().index()).isZero();
		assertThat(this.plan.walIndexes()).hasSize(0x29);
	}

	@ParameterizedTest
	@EnumSource(Path_.class)
	void everyIndexReadsBackAsTheReplicasBytesAndBuildsTheFixturesLastState(Path_ path) throws Exception {
		Path database = this.temp.resolve("restored.db");
		try (InputStream snapshot = Lz4.decompress(this.client.openSnapshot(this.plan.generation(),
				this.plan.snapshot().index()))) {
			Files.write(database, snapshot.readAllBytes());
		}
		Path files = Files.createDirectories(this.temp.resolve("wal"));
		List<RestorePlan.WalIndex> indexes = this.plan.walIndexes();
		List<Long> inMemory = new ArrayList<>();
		List<Long> sizes = new ArrayList<>();
		try (WalIndexFetcher fetcher = new WalIndexFetcher(this.client, indexes, 2,
				(index) -> files.resolve(index + ".wal"), path.limits);
				WalApplier applier = new WalApplier(database, this.client.location(), this.plan.generation(),
						this.plan.snapshot().index())) {
			fetcher.start();
			for (int i = 0; i < indexes.size(); i++) {
				try (FetchedWal wal = fetcher.await(i)) {
					byte[] expected = replicaBytes(indexes.get(i));
					assertThat(wal.size()).isEqualTo(expected.length);
					assertThat(read(wal, 1000)).as("index %d read in small steps", i).isEqualTo(expected);
					assertThat(read(wal, 1 << 20)).as("index %d read at once", i).isEqualTo(expected);
					Path copy = this.temp.resolve("copy-" + i + ".wal");
					wal.writeTo(copy);
					assertThat(Files.readAllBytes(copy)).isEqualTo(expected);
					applier.apply(wal, indexes.get(i));
					inMemory.add(wal.inMemory());
					sizes.add(wal.size());
					assertThat(Files.exists(files.resolve(indexes.get(i).index() + ".wal")))
						.as("index %d has a file", i).isEqualTo(wal.inMemory() < wal.size());
				}
				assertThat(files.resolve(indexes.get(i).index() + ".wal")).doesNotExist();
			}
		}
		path.check(inMemory, sizes);
		try (Stream<Path> left = Files.list(files)) {
			assertThat(left).isEmpty();
		}
		RestoredDatabase.oneCommittedState(database);
		assertThat(RestoredDatabase.summary(database, this.plan.targetIndex()))
			.isEqualTo(Fixture.expectedAt(this.plan.targetIndex()));
	}

	private byte[] replicaBytes(RestorePlan.WalIndex index) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (WalSegmentInfo segment : index.segments()) {
			try (InputStream in = Lz4.decompress(this.client.openWalSegment(segment.pos()))) {
				in.transferTo(out);
			}
		}
		return out.toByteArray();
	}

	private static byte[] read(FetchedWal wal, int step) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] buffer = new byte[step];
		for (long at = 0; at < wal.size(); at += step) {
			int n = wal.bytes().read(buffer, at);
			out.write(buffer, 0, (int) Math.min(n, wal.size() - at));
		}
		return out.toByteArray();
	}

	/** The paths a segment can take, and limits that send every segment (or some) down them. */
	enum Path_ {

		IN_MEMORY(FetchLimits.DEFAULT),

		STREAMED_TO_FILE(new FetchLimits(0, FetchLimits.DEFAULT.segmentMemoryLimit(), Long.MAX_VALUE)),

		DECODED_BUT_TOO_LARGE(new FetchLimits(FetchLimits.DEFAULT.smallSegmentBytes(), 16, Long.MAX_VALUE)),

		OVER_THE_BUDGET(new FetchLimits(FetchLimits.DEFAULT.smallSegmentBytes(),
				FetchLimits.DEFAULT.segmentMemoryLimit(), 0)),

		// Index 0's first two segments hold 16,512 and 8,240 bytes: whichever is decoded first
		// stays in memory, the other goes to the file, as all the segments fetched ahead do
		// while nothing is applied.
		MIXED(new FetchLimits(FetchLimits.DEFAULT.smallSegmentBytes(), FetchLimits.DEFAULT.segmentMemoryLimit(),
				20_000));

		private final FetchLimits limits;

		Path_(FetchLimits limits) {
			this.limits = limits;
		}

		void check(List<Long> inMemory, List<Long> sizes) {
			switch (this) {
				case IN_MEMORY -> assertThat(inMemory).isEqualTo(sizes);
				case MIXED -> assertThat(inMemory.get(0)).isPositive().isLessThan(sizes.get(0));
				default -> assertThat(inMemory).containsOnly(0L).hasSameSizeAs(sizes);
			}
		}

	}

}

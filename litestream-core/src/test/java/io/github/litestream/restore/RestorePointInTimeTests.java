package io.github.litestream.restore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Point-in-time restores of the Litestream fixture, whose objects get synthetic modification
 * times: index {@code i} was uploaded during minute {@code i} after {@link #BASE}.
 */
class RestorePointInTimeTests {

	private static final Instant BASE = Instant.parse("2025-03-01T10:00:00Z");

	@TempDir
	Path temp;

	private Path root;

	private FileReplicaClient client;

	private final Restorer restorer = new Restorer();

	@BeforeEach
	void copyFixtureWithTimes() throws IOException {
		this.root = Fixture.copyReplica(this.temp.resolve("replica"));
		Fixture.setSyntheticTimes(this.root, BASE);
		this.client = new FileReplicaClient(this.root);
	}

	@ParameterizedTest(name = "index {0}")
	@ValueSource(longs = { 0x00, 0x05, 0x09, 0x0a, 0x0b, 0x18, 0x19, 0x22, 0x23, 0x27, 0x28 })
	void restoresTheStateAtTheEndOfEachIndex(long index) throws Exception {
		Path output = this.temp.resolve("restored.db");
		Instant timestamp = BASE.plusSeconds(index * 60 + 30);
		RestoreResult result = this.restorer.restore(this.client, RestoreOptions.latest(output).withTimestamp(timestamp));
		assertThat(result.plan().targetIndex()).isEqualTo(index);
		assertThat(RestoredDatabase.summary(output, index)).isEqualTo(Fixture.expectedAt(index));
		RestoredDatabase.oneCommittedState(output);
	}

	@Test
	void restoresOneCommittedStateAtEverySegmentsTime() throws Exception {
		long previous = 0;
		for (WalSegmentInfo segment : this.client.walSegments(Fixture.GENERATION)) {
			Path output = this.temp.resolve("at-" + Pos.hex(segment.index()) + "-" + Pos.hex(segment.offset()) + ".db");
			RestoreResult result = this.restorer.restore(this.client,
					RestoreOptions.latest(output).withTimestamp(segment.createdAt()));
			assertThat(result.plan().targetIndex()).isEqualTo(segment.index());
			long count = RestoredDatabase.oneCommittedState(output).count();
			// Never earlier than the point before; a segment may hold only Litestream's own write.
			assertThat(count).as("restore to %s", segment.createdAt()).isGreaterThanOrEqualTo(previous);
			if (segment.index() > 0) {
				assertThat(count).isGreaterThanOrEqualTo(Fixture.expectedAt(segment.index() - 1).count());
			}
			assertThat(count).isLessThanOrEqualTo(Fixture.expectedAt(segment.index()).count());
			previous = count;
		}
		assertThat(previous).isEqualTo(Fixture.expectedAt(0x28).count());
	}

	@Test
	void usesOnlyThePrefixOfSegmentsUpToTheTimestamp() throws Exception {
		// Index 0x16 has segments at offsets 0, 0x1038, 0x3068 and 0x60b0: stop after the second.
		Path output = this.temp.resolve("restored.db");
		Instant timestamp = BASE.plusSeconds(0x16 * 60 + 2);
		RestoreResult result = this.restorer.restore(this.client, RestoreOptions.latest(output).withTimestamp(timestamp));
		assertThat(result.plan().walIndexes().get(result.plan().walIndexes().size() - 1).segments()).hasSize(2);
		long count = RestoredDatabase.oneCommittedState(output).count();
		assertThat(count).isGreaterThan(Fixture.expectedAt(0x15).count()).isLessThan(Fixture.expectedAt(0x16).count());
	}

	@Test
	void aFallBackPastADamagedSnapshotStillStopsAtTheTimestamp() throws Exception {
		Path damaged = this.root.resolve("generations/" + Fixture.GENERATION + "/snapshots/0000000a.snapshot.lz4");
		FileTime created = Files.getLastModifiedTime(damaged);
		ReplicaDamage.truncate(damaged);
		Files.setLastModifiedTime(damaged, created);
		Path output = this.temp.resolve("restored.db");
		Instant timestamp = BASE.plusSeconds(0x16 * 60 + 2);

		RestoreResult result = this.restorer.restore(this.client,
				RestoreOptions.latest(output).withTimestamp(timestamp).withFallBack(true));

		assertThat(result.avoided()).containsExactly(DamagedObject.snapshot(Fixture.GENERATION, 0x0a));
		assertThat(result.plan().snapshot().index()).isZero();
		long count = RestoredDatabase.oneCommittedState(output).count();
		assertThat(count).as("the state at the timestamp, not after it")
			.isGreaterThan(Fixture.expectedAt(0x15).count())
			.isLessThan(Fixture.expectedAt(0x16).count());
	}

	@Test
	void timestampAfterTheLastUploadRestoresTheLatestState() throws Exception {
		Path output = this.temp.resolve("restored.db");
		this.restorer.restore(this.client, RestoreOptions.latest(output).withTimestamp(BASE.plusSeconds(86_400)));
		assertThat(RestoredDatabase.summary(output, 0x28L)).isEqualTo(Fixture.expectedAt(0x28));
	}

	@Test
	void timestampBeforeTheFirstSnapshotIsAnError() {
		Path output = this.temp.resolve("restored.db");
		assertThatExceptionOfType(RestoreException.class)
			.isThrownBy(() -> this.restorer.restore(this.client, RestoreOptions.latest(output).withTimestamp(BASE.minusSeconds(1))))
			.withMessageContaining(this.client.location())
			.withMessageContaining("no snapshot was created at or before " + BASE.minusSeconds(1))
			.withMessageContaining("choose a timestamp at or after " + BASE);
		assertThat(output).doesNotExist();
	}

}

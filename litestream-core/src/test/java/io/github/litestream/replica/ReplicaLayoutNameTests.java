package io.github.litestream.replica;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The names of replica objects, parsed by hand: exactly the names Litestream writes (8 or 16
 * lowercase hex digits and the suffix), nothing else a directory or bucket may hold beside them.
 */
class ReplicaLayoutNameTests {

	private static final String GENERATION = "0123456789abcdef";

	@Test
	void walSegmentNamesAsLitestreamWritesThem() {
		assertThat(ReplicaLayout.parseWalSegmentName(GENERATION, "0000001a_00f0ff00.wal.lz4"))
			.contains(new Pos(GENERATION, 0x1a, 0xf0ff00));
		assertThat(ReplicaLayout.parseWalSegmentName(GENERATION, "ffffffff_ffffffff.wal.lz4"))
			.contains(new Pos(GENERATION, 0xffffffffL, 0xffffffffL));
		Pos pos = new Pos(GENERATION, 7, 4152);
		assertThat(ReplicaLayout.parseWalSegmentName(GENERATION, ReplicaLayout.walSegmentName(pos))).contains(pos);
	}

	@Test
	void otherNamesAreNotWalSegments() {
		for (String name : new String[] { "0000001A_00000000.wal.lz4", "0000001a-00000000.wal.lz4",
				"0000001a_0000000.wal.lz4", "000000001a_00000000.wal.lz4", "0000001g_00000000.wal.lz4",
				"0000001a_00000000.wal", "0000001a_00000000.wal.lz4.tmp", ".0000001a_00000000.wal.lz4.1234.tmp",
				"0000001a_00000000xwal.lz4", "0000001a_00000000.snapshot.lz4", "", "_.wal.lz4" }) {
			assertThat(ReplicaLayout.parseWalSegmentName(GENERATION, name)).as(name).isEmpty();
		}
	}

	@Test
	void snapshotNames() {
		assertThat(ReplicaLayout.parseSnapshotName("0000002f.snapshot.lz4")).contains(0x2fL);
		for (String name : new String[] { "0000002F.snapshot.lz4", "000002f.snapshot.lz4", "0000002f.snapshot",
				"0000002f.snapshot.lz4.tmp", "0000002fxsnapshot.lz4", "0000002f_00000000.wal.lz4", "" }) {
			assertThat(ReplicaLayout.parseSnapshotName(name)).as(name).isEqualTo(Optional.empty());
		}
	}

	@Test
	void generations() {
		assertThat(Pos.isGeneration(GENERATION)).isTrue();
		for (String name : new String[] { "0123456789ABCDEF", "0123456789abcde", "0123456789abcdef0",
				"0123456789abcdeg", "", null }) {
			assertThat(Pos.isGeneration(name)).as(String.valueOf(name)).isFalse();
		}
	}

}

package io.github.litestream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.github.litestream.restore.Fixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link StockLayout} on a copy of the replica the stock Litestream v0.3.14 CLI wrote: it
 * accepts that replica and the lease objects, and names any other object.
 */
class StockLayoutTests {

	@TempDir
	Path dir;

	private Path replica;

	@BeforeEach
	void copyFixture() throws IOException {
		this.replica = Fixture.copyReplica(this.dir.resolve("replica"));
	}

	@Test
	void acceptsTheReplicaTheStockCliWrote() throws IOException {
		assertThat(StockLayout.generations(this.replica, false)).containsExactly(Fixture.GENERATION);
	}

	@Test
	void acceptsTheLeaseObjectsOfAnObjectStoreAndOfADirectory() throws IOException {
		for (String lease : new String[] { "lease.json", "lease-probe.json", "lease.json.7", "lease-probe.json.1" }) {
			Files.writeString(this.replica.resolve(lease), "{}");
		}
		assertThat(StockLayout.generations(this.replica, false)).containsExactly(Fixture.GENERATION);
	}

	@Test
	void namesAnObjectOutsideTheLayout() throws IOException {
		Path wal = this.replica.resolve("generations/" + Fixture.GENERATION + "/wal");
		Files.createDirectories(wal.resolve("00000001"));
		Files.writeString(wal.resolve("00000001/00000000.wal.lz4"), "x");
		Files.writeString(this.replica.resolve("generations/0123456789abcdef.snapshot.lz4"), "x");
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> StockLayout.generations(this.replica, false))
			.withMessageContaining("generations/" + Fixture.GENERATION + "/wal/00000001/00000000.wal.lz4")
			.withMessageContaining("generations/0123456789abcdef.snapshot.lz4");
	}

	@Test
	void toleratesAKilledWritersTemporaryFileOnlyAfterAKill() throws IOException {
		Files.writeString(this.replica.resolve("generations/" + Fixture.GENERATION + "/wal/.00000029_00000000.wal.lz4."
				+ "0c6f5e0e-1d2b-4c1e-9a57-3f1e2d4c5b6a.tmp"), "x");
		assertThat(StockLayout.generations(this.replica, true)).containsExactly(Fixture.GENERATION);
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> StockLayout.generations(this.replica, false))
			.withMessageContaining(".tmp");
	}

}

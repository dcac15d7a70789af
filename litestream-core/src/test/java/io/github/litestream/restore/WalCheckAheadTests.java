package io.github.litestream.restore;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.replica.Lz4;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link WalCheckAhead} on the Litestream fixture's WAL indexes: each comes back one call
 * later, in order, checked exactly as a check on the calling thread finds it; an index whose
 * header could not be read fails in its own turn, after the indexes before it came back; and
 * every WAL not handed back is closed.
 */
class WalCheckAheadTests {

	@TempDir
	Path temp;

	private final List<byte[]> indexes = new ArrayList<>();

	@BeforeEach
	void readTheFixturesIndexes() throws IOException {
		FileReplicaClient client = new FileReplicaClient(Fixture.copyReplica(this.temp.resolve("replica")));
		RestorePlan plan = new RestorePlanner(client).plan(RestoreOptions.latest(this.temp.resolve("unused.db")),
				Set.of()).orElseThrow();
		for (RestorePlan.WalIndex index : plan.walIndexes().subList(0, 4)) {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			for (WalSegmentInfo segment : index.segments()) {
				try (InputStream in = Lz4.decompress(client.openWalSegment(segment.pos()))) {
					in.transferTo(out);
				}
			}
			this.indexes.add(out.toByteArray());
		}
	}

	@Test
	void indexesComeBackInOrderCheckedAsOnTheCallingThread() throws IOException {
		AtomicInteger closed = new AtomicInteger();
		List<WalCheckAhead.Checked> back = new ArrayList<>();
		try (WalCheckAhead checks = new WalCheckAhead()) {
			for (int i = 0; i < this.indexes.size(); i++) {
				FetchedWal wal = wal(this.indexes.get(i), closed);
				WalCheckAhead.Checked before = checks.next(wal, i, header(wal), null);
				assertThat(before == null).as("nothing before the first").isEqualTo(i == 0);
				if (before != null) {
					back.add(before);
				}
			}
			back.add(checks.last());
			assertThat(checks.last()).isNull();
		}
		assertThat(back).extracting(WalCheckAhead.Checked::position).containsExactly(0, 1, 2, 3);
		for (WalCheckAhead.Checked checked : back) {
			CheckedWal here = WalApplier.check(checked.wal(), header(checked.wal()));
			assertThat(checked.result().scan()).isEqualTo(here.scan());
			assertThat(checked.result().latestFrames()).containsExactly(here.latestFrames());
			assertThat(checked.result().scan().end()).isEqualTo(checked.wal().size());
			assertThat(checked.result().scan().frames()).isPositive();
		}
		assertThat(closed).as("handed back, for the caller to close").hasValue(0);
	}

	@Test
	void anUnreadableHeaderFailsInItsTurnAndItsWalIsClosed() throws IOException {
		AtomicInteger closed = new AtomicInteger();
		try (WalCheckAhead checks = new WalCheckAhead()) {
			FetchedWal first = wal(this.indexes.get(0), closed);
			assertThat(checks.next(first, 0, header(first), null)).isNull();
			IOException unreadable = new IOException("index 1's header is not a WAL header");
			WalCheckAhead.Checked zero = checks.next(wal(this.indexes.get(1), closed), 1, null, unreadable);
			assertThat(zero.position()).isZero();
			assertThat(zero.result().scan().end()).isEqualTo(this.indexes.get(0).length);
			assertThatExceptionOfType(IOException.class).isThrownBy(checks::last).isSameAs(unreadable);
		}
		assertThat(closed).as("the failed index's WAL").hasValue(1);
	}

	@Test
	void closingClosesTheIndexStillBeingChecked() throws IOException {
		AtomicInteger closed = new AtomicInteger();
		try (WalCheckAhead checks = new WalCheckAhead()) {
			FetchedWal wal = wal(this.indexes.get(0), closed);
			checks.next(wal, 0, header(wal), null);
		}
		assertThat(closed).hasValue(1);
	}

	private static FetchedWal wal(byte[] bytes, AtomicInteger closed) {
		// Two pieces, so that reads cross from one to the other.
		int half = bytes.length / 2;
		return new FetchedWal(
				List.of(new FetchedWal.Piece(0, half, Arrays.copyOf(bytes, half)),
						new FetchedWal.Piece(half, bytes.length - half,
								Arrays.copyOfRange(bytes, half, bytes.length))),
				null, null, closed::incrementAndGet);
	}

	private static WalHeader header(FetchedWal wal) throws IOException {
		return WalScanner.readHeader(wal.bytes());
	}

}

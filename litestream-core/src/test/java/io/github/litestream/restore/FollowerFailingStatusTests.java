package io.github.litestream.restore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A follower whose every poll fails reads as failing throughout, also while its next poll runs:
 * health counts it from its status, and a status that forgot the failure at each poll's start
 * would make health flap.
 */
class FollowerFailingStatusTests {

	private static final String NEWEST_SEGMENT = "00000028_00001038.wal.lz4";

	@TempDir
	Path temp;

	@Test
	void aFailureStaysOnRecordWhileTheNextPollRuns() throws Exception {
		Path root = Fixture.copyReplica(this.temp.resolve("replica"));
		Path walDir = root.resolve("generations").resolve(Fixture.GENERATION).resolve("wal");
		Files.move(walDir.resolve(NEWEST_SEGMENT), this.temp.resolve(NEWEST_SEGMENT));
		AtomicInteger downloads = new AtomicInteger();
		CountDownLatch secondDownload = new CountDownLatch(1);
		CountDownLatch resume = new CountDownLatch(1);
		ReplicaClient breaking = new ForwardingReplicaClient(new FileReplicaClient(root)) {

			@Override
			public InputStream openWalSegment(Pos pos) throws IOException {
				if (pos.index() == 0x28 && pos.offset() == 0x1038) {
					if (downloads.incrementAndGet() == 2) {
						secondDownload.countDown();
						try {
							resume.await(60, TimeUnit.SECONDS);
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
						}
					}
					throw new IOException("connection reset (test)");
				}
				return super.openWalSegment(pos);
			}

		};
		ReplicaFollower follower = new ReplicaFollower(breaking, this.temp.resolve("out/app.db"),
				new FollowerOptions(Duration.ofMillis(50), Duration.ofMillis(100), 1));
		try {
			follower.start();
			await().atMost(Duration.ofSeconds(60)).until(() -> follower.status().caughtUp());
			Files.move(this.temp.resolve(NEWEST_SEGMENT), walDir.resolve(NEWEST_SEGMENT));
			follower.wakeUp();

			assertThat(secondDownload.await(60, TimeUnit.SECONDS)).as("the second poll's download").isTrue();

			FollowerStatus during = follower.status();
			assertThat(during.failingSince()).as("failing since the first failure").isNotNull();
			assertThat(during.lastError()).contains("connection reset (test)");
			assertThat(during.caughtUp()).isFalse();
		}
		finally {
			resume.countDown();
			try {
				follower.stop(Duration.ofSeconds(30));
			}
			catch (IOException ex) {
				// What the assertions report matters more.
			}
		}
	}

}

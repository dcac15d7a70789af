package io.github.litestream.restore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import io.github.litestream.CapturedStderr;
import io.github.litestream.ChildJvm;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.file.FileReplicaClient;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.awaitility.Awaitility.await;

/**
 * A {@link ReplicaFollower} holds its file's {@link RestoreLock} for its whole life, as a
 * restore does for its run: a restore or a second follower of the same file, in this process or
 * another, fails naming the path and leaves the follower's files alone; once the follower
 * stopped (or its process died, or its thread ended on its own), the path is free again.
 */
class ReplicaFollowerLockTests {

	private static final FollowerOptions ONE_WORKER = new FollowerOptions(Duration.ofMillis(50),
			Duration.ofMillis(400), 1);

	@TempDir
	Path temp;

	@Test
	void aRestoreOrASecondFollowerOfAFollowedFileFailsAndTheFollowerGoesOn() throws Exception {
		Path replica = Fixture.copyReplica(this.temp.resolve("replica"));
		Path dir = Files.createDirectories(this.temp.resolve("out"));
		Path output = dir.resolve("app.db");
		CountDownLatch stalled = new CountDownLatch(1);
		CountDownLatch resume = new CountDownLatch(1);
		ReplicaFollower follower = new ReplicaFollower(stall(replica, stalled, resume), output, ONE_WORKER);
		try {
			follower.start();
			assertThat(stalled.await(60, TimeUnit.SECONDS)).as("the follower's restore reached index 25").isTrue();
			List<Path> following = hiddenFiles(dir);
			assertThat(following).as("the follower's temporary files").isNotEmpty();

			assertThatExceptionOfType(RestoreException.class)
				.isThrownBy(() -> new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(output)))
				.withMessageContaining("Cannot restore to " + output)
				.withMessageContaining("a follower of it is running (this process holds")
				.withMessageContaining("stop the follower");
			ReplicaFollower second = new ReplicaFollower(new FileReplicaClient(replica), output, ONE_WORKER);
			assertThatExceptionOfType(RestoreException.class).isThrownBy(second::start)
				.withMessageContaining("Cannot follow into " + output)
				.withMessageContaining("a follower of it is running (this process holds");
			assertThat(second.isRunning()).isFalse();
			assertThat(LeftoverRestoreFiles.remove(output)).as("a cleanup on boot while it runs").isEmpty();
			assertThat(hiddenFiles(dir)).as("the follower's files").containsExactlyInAnyOrderElementsOf(following);
			assertThat(output).doesNotExist();

			resume.countDown();
			await().atMost(Duration.ofSeconds(60)).until(() -> follower.status().caughtUp());
			assertThat(follower.stop(Duration.ofSeconds(30))).isPresent();
		}
		finally {
			resume.countDown();
			stopQuietly(follower);
		}
		assertThat(RestoredDatabase.summary(output, null)).isEqualTo(latest());
		Optional<RestoreLock> free = RestoreLock.tryAcquire(output);
		assertThat(free).as("let go of once stopped").isPresent();
		free.get().close();
		assertThat(dir.resolve(".app.db-restore.lock")).doesNotExist();
	}

	@Test
	void aFollowerOfAFileBeingRestoredFailsAndTheRestoreFinishes() throws Exception {
		Path replica = Fixture.copyReplica(this.temp.resolve("replica"));
		Path dir = Files.createDirectories(this.temp.resolve("out"));
		Path output = dir.resolve("app.db");
		CountDownLatch stalled = new CountDownLatch(1);
		CountDownLatch resume = new CountDownLatch(1);
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			Future<RestoreResult> restore = executor.submit(() -> new Restorer()
				.restore(stall(replica, stalled, resume), RestoreOptions.latest(output).withParallelism(1)));
			assertThat(stalled.await(60, TimeUnit.SECONDS)).as("the restore reached index 25").isTrue();

			ReplicaFollower follower = new ReplicaFollower(new FileReplicaClient(replica), output, ONE_WORKER);
			assertThatExceptionOfType(RestoreException.class).isThrownBy(follower::start)
				.withMessageContaining("Cannot follow into " + output)
				.withMessageContaining("another restore of it is running (this process holds")
				.withMessageContaining("wait for it to finish");
			assertThat(follower.isRunning()).isFalse();

			resume.countDown();
			assertThat(restore.get(60, TimeUnit.SECONDS).restored()).isTrue();
		}
		finally {
			resume.countDown();
			executor.shutdownNow();
		}
		assertThat(RestoredDatabase.summary(output, null)).isEqualTo(latest());
	}

	@Test
	void aFollowerInAnotherProcessIsLeftAloneUntilKilledThenItsFilesAreRemovedByTheNextRestore() throws Exception {
		Path replica = Fixture.copyReplica(this.temp.resolve("replica"));
		Path dir = Files.createDirectories(this.temp.resolve("out"));
		Path output = dir.resolve("app.db");
		Process child = ChildJvm.start(KilledFollower.class, List.of("-Xmx64m"), replica.toString(), output.toString());
		try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
			assertThat(out.lines().filter("stalled"::equals).findFirst()).as("the child reached the stall").isPresent();
			List<Path> following = hiddenFiles(dir);

			assertThatExceptionOfType(RestoreException.class)
				.isThrownBy(() -> new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(output)))
				.withMessageContaining("Cannot restore to " + output)
				.withMessageContaining("a follower of it is running (process " + child.pid() + " holds");
			assertThat(hiddenFiles(dir)).as("the follower's files").containsExactlyInAnyOrderElementsOf(following);
		}
		finally {
			child.destroyForcibly();
			child.waitFor(30, TimeUnit.SECONDS);
		}
		assertThat(hiddenFiles(dir)).as("what SIGKILL left").hasSizeGreaterThan(1);

		new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(output));

		assertThat(hiddenFiles(dir)).as("the killed follower's files, removed").isEmpty();
		assertThat(RestoredDatabase.summary(output, null)).isEqualTo(latest());
	}

	@Test
	void aFollowerWhoseThreadWasInterruptedLetsGoOfTheFileAndSaysItStopped() throws Exception {
		Path replica = Fixture.copyReplica(this.temp.resolve("replica"));
		Path output = Files.createDirectories(this.temp.resolve("out")).resolve("app.db");
		CountDownLatch stalled = new CountDownLatch(1);
		CountDownLatch resume = new CountDownLatch(1);
		AtomicReference<Thread> polling = new AtomicReference<>();
		// The restore's planning lists generations on the follower's own thread.
		ReplicaClient client = new ForwardingReplicaClient(stall(replica, stalled, resume)) {
			@Override
			public List<String> generations() throws IOException {
				polling.compareAndSet(null, Thread.currentThread());
				return super.generations();
			}
		};
		ReplicaFollower follower = new ReplicaFollower(client, output, ONE_WORKER);
		ReplicaFollower restarted = new ReplicaFollower(new FileReplicaClient(replica), output, ONE_WORKER);
		try {
			follower.start();
			assertThat(stalled.await(60, TimeUnit.SECONDS)).as("the follower's restore reached index 25").isTrue();
			assertThat(polling.get().getName()).isEqualTo("litestream-follower-app.db");

			polling.get().interrupt();

			await().atMost(Duration.ofSeconds(60)).until(() -> !follower.isRunning());
			FollowerStatus status = follower.status();
			assertThat(status.stopped()).isTrue();
			assertThat(status.caughtUp()).isFalse();
			assertThat(status.failingSince()).isNotNull();
			assertThat(status.lastError()).startsWith("Stopped following " + client.location())
				.endsWith("its thread was interrupted");
			// Before stop() or close(): a restart of the follower takes the file over.
			restarted.start();
			await().atMost(Duration.ofSeconds(60)).until(() -> restarted.status().caughtUp());
			assertThat(restarted.stop(Duration.ofSeconds(30))).isPresent();
			assertThatIOException().isThrownBy(() -> follower.stop(Duration.ofSeconds(30)))
				.withMessageContaining("is not handed over: Stopped following");
		}
		finally {
			resume.countDown();
			stopQuietly(follower);
			stopQuietly(restarted);
		}
		assertThat(RestoredDatabase.summary(output, null)).isEqualTo(latest());
	}

	@Test
	void anInterruptedFollowerLetsGoOfTheFileOnlyOnceItsDownloadsStopped() throws Exception {
		Path replica = Fixture.copyReplica(this.temp.resolve("replica"));
		Path output = Files.createDirectories(this.temp.resolve("out")).resolve("app.db");
		CountDownLatch stalled = new CountDownLatch(1);
		CountDownLatch resume = new CountDownLatch(1);
		AtomicReference<Thread> polling = new AtomicReference<>();
		// A download on one of the restore's own threads that does not answer an interrupt at once
		// (a blocking socket read, say). The follower's thread runs the segments no worker has
		// started yet itself: from index 25 on it pauses before each, so that the worker (which
		// can lose every race for CPU on a loaded machine) starts the next one.
		ReplicaClient client = new StallingReplicaClient(new FileReplicaClient(replica), (pos) -> {
			if (pos.index() < 0x25 || stalled.getCount() == 0) {
				return;
			}
			if (Thread.currentThread().getName().startsWith("litestream-restore-")) {
				stalled.countDown();
				awaitUninterruptibly(resume);
			}
			else {
				LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
			}
		}) {
			@Override
			public List<String> generations() throws IOException {
				polling.compareAndSet(null, Thread.currentThread());
				return super.generations();
			}
		};
		ReplicaFollower follower = new ReplicaFollower(client, output, ONE_WORKER);
		try {
			follower.start();
			assertThat(stalled.await(60, TimeUnit.SECONDS)).as("the follower's restore reached index 25").isTrue();
			Thread thread = polling.get();

			thread.interrupt();

			// Waiting (timed) for its downloads to stop, or, wrongly, gone already.
			await().atMost(Duration.ofSeconds(60))
				.until(() -> thread.getState() == Thread.State.TIMED_WAITING || !thread.isAlive());
			assertThat(follower.isRunning()).as("ended while its download still runs").isTrue();
			assertThat(RestoreLock.tryAcquire(output)).as("the lock, while the download runs").isEmpty();
			resume.countDown();
			await().atMost(Duration.ofSeconds(60)).until(() -> !follower.isRunning());
			Optional<RestoreLock> free = RestoreLock.tryAcquire(output);
			assertThat(free).as("let go of once the download stopped").isPresent();
			free.get().close();
			assertThat(follower.status().stopped()).isTrue();
		}
		finally {
			resume.countDown();
			stopQuietly(follower);
		}
	}

	@Test
	void aFollowerWhoseThreadDiedOfAnErrorLetsGoOfTheFileAndSaysItStopped() throws Exception {
		Path replica = Fixture.copyReplica(this.temp.resolve("replica"));
		Path dir = Files.createDirectories(this.temp.resolve("out"));
		Path output = dir.resolve("app.db");
		// What a backend whose library is missing at run time throws.
		ReplicaClient broken = new ForwardingReplicaClient(new FileReplicaClient(replica)) {
			@Override
			public List<String> generations() {
				throw new NoClassDefFoundError("com/example/MissingSdkClass");
			}
		};
		ReplicaFollower follower = new ReplicaFollower(broken, output, ONE_WORKER);
		try (CapturedStderr logs = new CapturedStderr()) {
			follower.start();
			// An error reaching the thread's uncaught-exception handler would be printed there too.
			await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).until(() -> !follower.isRunning());
			assertThat(follower.status().stopped()).isTrue();
			assertThat(follower.status().failingSince()).as("counted as failing").isNotNull();
			assertThat(follower.status().lastError()).contains("NoClassDefFoundError: com/example/MissingSdkClass");
			// Reported once, with the context, its stack trace beneath (lines "java.lang…" and "\tat …").
			assertThat(logs.lines()).filteredOn((line) -> line.contains("MissingSdkClass"))
				.filteredOn((line) -> !line.startsWith("java.lang.") && !line.startsWith("\t"))
				.singleElement(as(InstanceOfAssertFactories.STRING))
				.contains("ERROR", "The follower of " + broken.location() + " into " + output.toAbsolutePath(),
						"stopped: it failed with java.lang.NoClassDefFoundError");

			assertThat(new Restorer().restore(new FileReplicaClient(replica), RestoreOptions.latest(output)).restored())
				.as("a restore of the file, before the follower's stop() or close()")
				.isTrue();
		}
		finally {
			stopQuietly(follower);
		}
		assertThat(RestoredDatabase.summary(output, null)).isEqualTo(latest());
		assertThat(hiddenFiles(dir)).isEmpty();
	}

	@Test
	void anErrorWhileTheFollowerStopsIsReportedOnceAndTheFileIsNotHandedOver() throws Exception {
		Path replica = Fixture.copyReplica(this.temp.resolve("replica"));
		Path output = Files.createDirectories(this.temp.resolve("out")).resolve("app.db");
		Thread stopping = Thread.currentThread();
		CountDownLatch polling = new CountDownLatch(1);
		AtomicBoolean armed = new AtomicBoolean();
		ReplicaClient broken = new ForwardingReplicaClient(new FileReplicaClient(replica)) {
			@Override
			public List<String> generations() throws IOException {
				if (armed.get()) {
					polling.countDown();
					// Thrown once stop() waits for the thread: an error may cut an application short.
					await().atMost(Duration.ofSeconds(60))
						.until(() -> stopping.getState() == Thread.State.TIMED_WAITING);
					throw new NoClassDefFoundError("com/example/MissingSdkClass");
				}
				return super.generations();
			}
		};
		ReplicaFollower follower = new ReplicaFollower(broken, output, ONE_WORKER);
		try (CapturedStderr logs = new CapturedStderr()) {
			follower.start();
			await().atMost(Duration.ofSeconds(60)).until(() -> follower.status().caughtUp());
			armed.set(true);
			follower.wakeUp();
			polling.await();

			assertThatIOException().isThrownBy(() -> follower.stop(Duration.ofSeconds(60)))
				.withMessageContaining("is not handed over")
				.withMessageContaining("NoClassDefFoundError: com/example/MissingSdkClass");
			assertThat(follower.status().stopped()).isTrue();
			assertThat(logs.lines()).filteredOn((line) -> line.contains("MissingSdkClass"))
				.filteredOn((line) -> !line.startsWith("java.lang.") && !line.startsWith("\t"))
				.singleElement(as(InstanceOfAssertFactories.STRING))
				.contains("ERROR", "stopped: it failed with java.lang.NoClassDefFoundError");
		}
		finally {
			stopQuietly(follower);
		}
		assertThat(RestoreLock.tryAcquire(output)).as("the file's lock, let go of").hasValueSatisfying(RestoreLock::close);
	}

	/** The replica, with every read of a WAL segment of index 25 waiting until {@code resume}. */
	private static ReplicaClient stall(Path replica, CountDownLatch stalled, CountDownLatch resume) {
		return new StallingReplicaClient(new FileReplicaClient(replica), (pos) -> {
			if (pos.index() == 0x25 && resume.getCount() > 0) {
				stalled.countDown();
				try {
					if (!resume.await(60, TimeUnit.SECONDS)) {
						throw new IOException("not resumed");
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IOException(ex);
				}
			}
		});
	}

	private static void awaitUninterruptibly(CountDownLatch latch) {
		boolean interrupted = false;
		while (latch.getCount() > 0) {
			try {
				latch.await();
			}
			catch (InterruptedException ex) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	/** Stops a follower after a failed assertion, which tells more than an error in stopping. */
	private static void stopQuietly(ReplicaFollower follower) {
		try {
			follower.stop(Duration.ofSeconds(30));
		}
		catch (IOException ex) {
			// Reported by the assertion that failed, or already stopped.
		}
	}

	private static Fixture.Expected latest() {
		return Fixture.expected().stream().filter((row) -> row.index() == null).findFirst().orElseThrow();
	}

	private static List<Path> hiddenFiles(Path dir) throws IOException {
		try (Stream<Path> files = Files.list(dir)) {
			return files.filter((file) -> file.getFileName().toString().startsWith(".")).toList();
		}
	}

}

package io.github.litestream;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.github.litestream.db.DatabaseListener;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;

/**
 * What a killed writer's replica thread did, so that a crash test can allow the time the
 * backend and the machine took rather than a constant.
 *
 * <p>A replica ships in steps on its own thread: copy the WAL, upload what is new, wait one
 * sync interval. What was committed before a step's copy began is on the replica when that
 * step's uploads end. So a kill loses at most: the last step that finished shipping (from its
 * WAL copy until the thread went idle), the wait after it, and the step in flight at the kill. The engine
 * answers for the waits (monitor and sync intervals, as the docs' data-loss window says); the
 * steps' length is the backend's upload time and the machine's speed, which a loaded two-core
 * CI machine stretches to seconds (a cold SFTP client under load: 0.8 s for a 64 kB segment).
 * {@link #lossWindow} adds the steps as measured, and twice how late the child's heartbeat
 * thread woke meanwhile (the wait ends with two threads waking: the timer and the replica
 * thread), which CPU starvation or a GC pause stretches. A replica that stopped shipping while
 * the writer went on gets no allowance for that: its last shipping step is short and long ago,
 * and the steps after it are short or none.
 *
 * <p>The child's log, one line per event, flushed (a killed process's writes survive):
 * {@code copy <start> <end>} (a WAL copy on the replica's thread: a step begins),
 * {@code idle <when>} (the step ended: the heartbeat saw that thread's step name go),
 * {@code call <start> <kind>}
 * and {@code done <start> <end> <kind>} (a replica client call on that thread; kind
 * {@code write} for WAL segments and snapshots, {@code read} otherwise, {@code failed} when
 * it threw), and {@code late <when> <millis>} (the heartbeat woke that late); times in epoch
 * milliseconds.
 */
public final class ReplicationTimeline {

	/** The engine names the replicas' threads so; snapshot uploads beside them run elsewhere. */
	private static final String REPLICA_THREAD = "litestream-replica-";

	/** How long the heartbeat parks, and how much later it may wake without a log line. */
	private static final long HEARTBEAT_MILLIS = 10;

	private static final long LATE_MILLIS = 2;

	private final List<Step> steps = new ArrayList<>();

	/** When the heartbeat woke, and how late. */
	private final List<long[]> lateWakeUps = new ArrayList<>();

	private ReplicationTimeline() {
	}

	/**
	 * Starts recording in the child: the returned recorder wraps the replica's client and
	 * listens to the database.
	 * @param log the log file
	 * @return the recorder
	 * @throws IOException if the log cannot be written
	 */
	public static Recorder record(Path log) throws IOException {
		return new Recorder(log);
	}

	/**
	 * Reads a child's log; a torn last line is ignored.
	 * @param log the log file
	 * @return the timeline
	 * @throws IOException if the log cannot be read
	 */
	public static ReplicationTimeline read(Path log) throws IOException {
		ReplicationTimeline timeline = new ReplicationTimeline();
		String content = Files.readString(log, StandardCharsets.UTF_8);
		for (String line : content.substring(0, content.lastIndexOf('\n') + 1).split("\n")) {
			String[] f = line.split(" ");
			switch (f[0]) {
				case "copy" -> timeline.steps.add(new Step(Long.parseLong(f[1])));
				case "idle" -> timeline.current(Long.parseLong(f[1])).end = Long.parseLong(f[1]);
				case "call" -> timeline.current(Long.parseLong(f[1]))
					.calls.add(new Call(Long.parseLong(f[1]), -1, f[2].equals("write")));
				case "done" -> timeline.current(Long.parseLong(f[1]))
					.finish(Long.parseLong(f[1]), Long.parseLong(f[2]), !f[3].equals("failed"));
				case "late" -> timeline.lateWakeUps.add(new long[] { Long.parseLong(f[1]), Long.parseLong(f[2]) });
				case "" -> {
				}
				default -> throw new IOException("Unexpected line in " + log + ": " + line);
			}
		}
		return timeline;
	}

	/** The step a call belongs to (one that began with the call, if no WAL copy came first). */
	private Step current(long callStart) {
		if (this.steps.isEmpty()) {
			this.steps.add(new Step(callStart));
		}
		return this.steps.get(this.steps.size() - 1);
	}

	/**
	 * How much a kill at {@code killedAt} may lose: the writer's intervals, plus the last step
	 * that finished shipping, the step in flight after it, and how late the child's threads woke.
	 * @param killedAt when the kill was sent, in epoch milliseconds
	 * @param monitorInterval the writer's monitor interval
	 * @param syncInterval the writer's sync interval
	 * @return the window and its parts
	 */
	public LossWindow lossWindow(long killedAt, Duration monitorInterval, Duration syncInterval) {
		List<Step> before = this.steps.stream().filter((step) -> step.start <= killedAt).toList();
		int shipped = before.size() - 1;
		while (shipped >= 0 && !before.get(shipped).shipped(killedAt)) {
			shipped--;
		}
		if (shipped >= 0 && shipped < before.size() - 1 && before.get(shipped).end < 0) {
			// The heartbeat missed its end (it did not run for a whole wait): the latest it can have been.
			Step next = before.get(shipped + 1);
			before.get(shipped).end = Math.max(before.get(shipped).start, next.start - syncInterval.toMillis());
		}
		long lastShipping = (shipped >= 0) ? before.get(shipped).length(killedAt) : 0;
		// A later step has not shipped: it is in flight, or failed (a writer that commits all the
		// time leaves every step something to ship).
		long inFlight = (shipped < before.size() - 1) ? before.get(before.size() - 1).length(killedAt) : 0;
		long since = (shipped >= 0) ? before.get(shipped).start : Long.MIN_VALUE;
		// The wait between the two steps ends with a timer's thread waking and handing the step to
		// a replica thread: each may wake as late as the heartbeat did.
		long late = this.lateWakeUps.stream()
			.filter((wakeUp) -> wakeUp[0] >= since && wakeUp[0] - wakeUp[1] <= killedAt)
			.mapToLong((wakeUp) -> wakeUp[1])
			.max()
			.orElse(0);
		return new LossWindow(monitorInterval.plus(syncInterval), Duration.ofMillis(lastShipping),
				Duration.ofMillis(inFlight), Duration.ofMillis(2 * late));
	}

	/**
	 * What a kill may lose.
	 *
	 * @param intervals the writer's monitor and sync intervals: the docs' data-loss window
	 * @param lastShippingStep the last step that finished an upload before the kill, from its
	 * WAL copy until its thread went idle (or the kill)
	 * @param stepInFlight the latest step after it, if one began: from its WAL copy until its
	 * thread went idle (or the kill)
	 * @param lateWakeUps twice the latest the child's heartbeat woke since that last shipping
	 * step began: how late the wait after it may have ended on that machine at that time
	 */
	public record LossWindow(Duration intervals, Duration lastShippingStep, Duration stepInFlight,
			Duration lateWakeUps) {

		public long toMillis() {
			return this.intervals.plus(this.lastShippingStep).plus(this.stepInFlight).plus(this.lateWakeUps).toMillis();
		}

		@Override
		public String toString() {
			return toMillis() + " ms (intervals " + this.intervals.toMillis() + " ms + last shipping step "
					+ this.lastShippingStep.toMillis() + " ms + step in flight " + this.stepInFlight.toMillis()
					+ " ms + late wake-ups " + this.lateWakeUps.toMillis() + " ms)";
		}

	}

	private static final class Step {

		final long start;

		/** When the replica's thread was seen idle after it, or -1. */
		long end = -1;

		final List<Call> calls = new ArrayList<>();

		Step(long start) {
			this.start = start;
		}

		void finish(long start, long end, boolean succeeded) {
			Call last = this.calls.get(this.calls.size() - 1);
			this.calls.set(this.calls.size() - 1, new Call(start, end, last.write() && succeeded));
		}

		boolean shipped(long killedAt) {
			return this.calls.stream().anyMatch((call) -> call.write() && call.end() >= 0 && call.end() <= killedAt);
		}

		/** How long it ran, until the kill if it had not ended by then. */
		long length(long killedAt) {
			return ((this.end >= 0 && this.end <= killedAt) ? this.end : killedAt) - this.start;
		}

	}

	private record Call(long start, long end, boolean write) {
	}

	/**
	 * The child's side: logs its replica thread's WAL copies and client calls, and a heartbeat
	 * that notices when the process did not run.
	 */
	public static final class Recorder implements DatabaseListener, AutoCloseable {

		private final BufferedWriter out;

		/**
		 * The thread running the replica's step, and its name meanwhile: the engine names a
		 * thread after the step it runs, and gives it its own name back afterwards.
		 */
		private volatile Thread stepThread;

		private volatile String stepName;

		private Recorder(Path log) throws IOException {
			this.out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
					StandardOpenOption.TRUNCATE_EXISTING);
			Thread heartbeat = new Thread(this::heartbeat, "replication-timeline-heartbeat");
			heartbeat.setDaemon(true);
			heartbeat.start();
		}

		/**
		 * Wraps the replica's client so that the calls its replica thread makes are logged.
		 * @param client the client
		 * @return the wrapped client
		 */
		public ReplicaClient client(ReplicaClient client) {
			return new LoggingClient(client);
		}

		@Override
		public void onSync(Duration duration, long bytes) {
			if (onReplicaThread()) {
				long end = System.currentTimeMillis();
				line("copy " + (end - duration.toMillis()) + " " + end);
				this.stepName = Thread.currentThread().getName();
				this.stepThread = Thread.currentThread();
			}
		}

		@Override
		public void close() throws IOException {
			this.out.close();
		}

		private synchronized void line(String line) {
			try {
				this.out.write(line + "\n");
				this.out.flush();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		private static boolean onReplicaThread() {
			return Thread.currentThread().getName().startsWith(REPLICA_THREAD);
		}

		private void heartbeat() {
			while (true) {
				long before = System.nanoTime();
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MILLIS));
				long late = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before) - HEARTBEAT_MILLIS;
				if (late > LATE_MILLIS) {
					line("late " + System.currentTimeMillis() + " " + late);
				}
				Thread step = this.stepThread;
				if (step != null && !step.getName().equals(this.stepName)) {
					this.stepThread = null;
					line("idle " + System.currentTimeMillis());
				}
			}
		}

		private <T> T logged(String kind, IoCall<T> call) throws IOException {
			if (!onReplicaThread()) {
				return call.run();
			}
			long start = System.currentTimeMillis();
			line("call " + start + " " + kind);
			boolean failed = true;
			try {
				T result = call.run();
				failed = false;
				return result;
			}
			finally {
				line("done " + start + " " + System.currentTimeMillis() + " " + (failed ? "failed" : kind));
			}
		}

		private interface IoCall<T> {

			T run() throws IOException;

		}

		private final class LoggingClient extends ForwardingReplicaClient {

			LoggingClient(ReplicaClient delegate) {
				super(delegate);
			}

			@Override
			public List<String> generations() throws IOException {
				return logged("read", super::generations);
			}

			@Override
			public List<SnapshotInfo> snapshots(String generation) throws IOException {
				return logged("read", () -> super.snapshots(generation));
			}

			@Override
			public List<WalSegmentInfo> walSegments(String generation) throws IOException {
				return logged("read", () -> super.walSegments(generation));
			}

			@Override
			public SnapshotInfo writeSnapshot(String generation, long index, InputStream lz4) throws IOException {
				return logged("write", () -> super.writeSnapshot(generation, index, lz4));
			}

			@Override
			public WalSegmentInfo writeWalSegment(Pos pos, InputStream lz4) throws IOException {
				return logged("write", () -> super.writeWalSegment(pos, lz4));
			}

		}

	}

}

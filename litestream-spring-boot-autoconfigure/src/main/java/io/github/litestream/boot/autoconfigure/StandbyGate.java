package io.github.litestream.boot.autoconfigure;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Holds a standby database's connections back until this instance is its primary: nothing may
 * open the file while the follower writes it, and the application must not write to a
 * database that another instance replicates. Work deferred to the takeover (the schema
 * migration) runs on the promoting thread, which alone passes the gate before it opens.
 */
final class StandbyGate {

	private final String database;

	private final CountDownLatch settled = new CountDownLatch(1);

	private final List<Runnable> atPromotion = new ArrayList<>();

	private volatile State state = State.WAITING;

	private volatile @Nullable Thread promoting;

	private volatile @Nullable String failure;

	private volatile Supplier<String> waitingFor = () -> "its lease";

	/**
	 * Creates a closed gate.
	 * @param database the entry and file, as errors name them, such as
	 * {@code litestream.dbs[0] (/data/app.db)}
	 */
	StandbyGate(String database) {
		this.database = database;
	}

	/**
	 * Says, for errors, what the standby waits for (who holds the lease, until when).
	 * @param waitingFor the description, read when a connection gives up or health asks
	 */
	void waitingFor(Supplier<String> waitingFor) {
		this.waitingFor = waitingFor;
	}

	/**
	 * Says what the gate waits for.
	 * @return the description, or {@code null} if it no longer waits (open, failed or closed)
	 */
	@Nullable String waitingFor() {
		return (this.state == State.WAITING) ? this.waitingFor.get() : null;
	}

	/**
	 * Waits until the gate opens.
	 * @param timeout how long at most
	 * @throws SQLException if it did not open in time, or never will (the takeover failed, or
	 * the application is stopping)
	 */
	void await(Duration timeout) throws SQLException {
		if (this.state == State.OPEN || Thread.currentThread() == this.promoting) {
			return;
		}
		try {
			this.settled.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SQLTransientConnectionException(this.database + " is a standby; interrupted while waiting "
					+ "for this instance to take over", ex);
		}
		switch (this.state) {
			case OPEN -> {
			}
			case WAITING -> throw new SQLTransientConnectionException(this.database + " is a standby: "
					+ this.waitingFor.get() + "; its connections open when this instance takes over (waited "
					+ timeout.toMillis() + " ms, the pool's connection timeout)");
			case FAILED -> throw new SQLException(this.database + " cannot serve: " + this.failure
					+ "; its connections stay closed until the application restarts");
			case CLOSED -> throw new SQLTransientConnectionException(
					this.database + " is a standby and the application is stopping");
		}
	}

	/**
	 * Runs work once this instance is the primary, before any connection is let through; at once
	 * if it is already.
	 * @param work what to run, on the promoting thread
	 */
	void atPromotion(Runnable work) {
		synchronized (this) {
			if (this.state == State.WAITING) {
				this.atPromotion.add(work);
				return;
			}
		}
		if (this.state == State.OPEN) {
			work.run();
		}
	}

	/**
	 * Runs the work deferred to the takeover, on this thread, which alone passes the gate
	 * meanwhile.
	 * @throws RuntimeException what the work threw; the gate then stays shut for good, and
	 * connections fail with the cause
	 */
	void runDeferredWork() {
		List<Runnable> work;
		synchronized (this) {
			if (this.state != State.WAITING) {
				return;
			}
			work = List.copyOf(this.atPromotion);
			this.atPromotion.clear();
			this.promoting = Thread.currentThread();
		}
		try {
			work.forEach(Runnable::run);
		}
		catch (RuntimeException ex) {
			this.failure = "the work deferred to the takeover failed (" + ex.getMessage() + ")";
			this.state = State.FAILED;
			this.settled.countDown();
			throw ex;
		}
		finally {
			this.promoting = null;
		}
	}

	/**
	 * Lets every connection through, unless deferred work failed.
	 */
	void open() {
		synchronized (this) {
			if (this.state == State.WAITING) {
				this.state = State.OPEN;
			}
		}
		this.settled.countDown();
	}

	/**
	 * Shuts the gate for good because the takeover failed: waiting connections fail with the
	 * cause.
	 * @param cause why
	 */
	void fail(String cause) {
		synchronized (this) {
			if (this.state == State.WAITING) {
				this.failure = cause;
				this.state = State.FAILED;
			}
		}
		this.settled.countDown();
	}

	/**
	 * Shuts the gate for good (the application stops): waiting connections fail.
	 */
	void close() {
		synchronized (this) {
			if (this.state == State.WAITING) {
				this.state = State.CLOSED;
			}
		}
		this.settled.countDown();
	}

	State state() {
		return this.state;
	}

	@Nullable String failure() {
		return this.failure;
	}

	/** Where a gate is. */
	enum State {

		/** This instance is a standby: connections wait. */
		WAITING,

		/** This instance is the primary. */
		OPEN,

		/** It took over, but deferred work failed. */
		FAILED,

		/** The application stopped before it took over. */
		CLOSED

	}

}

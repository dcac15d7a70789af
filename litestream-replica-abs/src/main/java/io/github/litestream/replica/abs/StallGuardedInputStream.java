package io.github.litestream.replica.abs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A response body that fails when no byte arrives for a while. The JDK client's request
 * timeout ends when the headers arrive, and its body stream has no read timeout: a connection
 * that dies after the headers (a NAT entry dropped, a load balancer failing over) would block a
 * listing, a download or a lease read for ever. Each read arms an alarm on one shared daemon
 * thread; the alarm closes the stream, which wakes the blocked read.
 */
final class StallGuardedInputStream extends FilterInputStream {

	private static final ScheduledExecutorService ALARMS = alarms();

	private final long stallNanos;

	private final String source;

	private volatile boolean stalled;

	/**
	 * Guards a body.
	 * @param body the JDK client's body stream
	 * @param stall how long a read may wait for the next byte
	 * @param source what the body is, for the error (a URL without its query)
	 */
	StallGuardedInputStream(InputStream body, Duration stall, String source) {
		super(body);
		this.stallNanos = stall.toNanos();
		this.source = source;
	}

	@Override
	public int read() throws IOException {
		ScheduledFuture<?> alarm = arm();
		try {
			return super.read();
		}
		catch (IOException ex) {
			throw explained(ex);
		}
		finally {
			alarm.cancel(false);
		}
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		ScheduledFuture<?> alarm = arm();
		try {
			return super.read(buffer, offset, length);
		}
		catch (IOException ex) {
			throw explained(ex);
		}
		finally {
			alarm.cancel(false);
		}
	}

	private ScheduledFuture<?> arm() {
		return ALARMS.schedule(this::stall, this.stallNanos, TimeUnit.NANOSECONDS);
	}

	private void stall() {
		this.stalled = true;
		try {
			this.in.close();
		}
		catch (IOException ex) {
			// Closing is all that is asked: the blocked read fails either way.
		}
	}

	private IOException explained(IOException ex) {
		if (!this.stalled) {
			return ex;
		}
		HttpTimeoutException timeout = new HttpTimeoutException("No data from " + this.source + " for "
				+ Duration.ofNanos(this.stallNanos).toSeconds() + " s: the connection was given up");
		timeout.initCause(ex);
		return timeout;
	}

	private static ScheduledExecutorService alarms() {
		ScheduledThreadPoolExecutor alarms = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "litestream-abs-read-timeout");
			thread.setDaemon(true);
			return thread;
		});
		// Nearly every alarm is cancelled: keep the queue small.
		alarms.setRemoveOnCancelPolicy(true);
		return alarms;
	}

}

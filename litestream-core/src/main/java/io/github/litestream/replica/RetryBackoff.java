package io.github.litestream.replica;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * When to try a failing operation again: after the first wait, doubled at each failure in a
 * row, up to a maximum. Used from one thread.
 */
final class RetryBackoff {

	private final Duration first;

	private final Duration max;

	private int failures;

	private @Nullable Instant next;

	private @Nullable String lastFailure;

	RetryBackoff(Duration first, Duration max) {
		this.first = first;
		this.max = max;
	}

	/** Whether the operation may run now. */
	boolean ready(Instant now) {
		return this.next == null || !now.isBefore(this.next);
	}

	void failed(Instant now, @Nullable String message) {
		Duration wait = this.first.multipliedBy(1L << Math.min(this.failures, 20));
		this.next = now.plus((wait.compareTo(this.max) > 0) ? this.max : wait);
		this.failures++;
		this.lastFailure = message;
	}

	void succeeded() {
		this.failures = 0;
		this.next = null;
		this.lastFailure = null;
	}

	/** Why it waits, for an error message. */
	String waiting() {
		return "the last " + this.failures + " attempt(s) failed (the last one: " + this.lastFailure
				+ "); the next one is at " + this.next;
	}

}

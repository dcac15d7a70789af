package io.github.litestream.boot.actuate;

import org.springframework.context.SmartLifecycle;

/**
 * Runs an {@code attach()} once replication has started. The boot layer registers databases
 * with the engine when its own lifecycle starts, after every singleton (and so every meter
 * binder and listener) exists; this lifecycle starts right after it and before the web server,
 * so listeners are in place before the first request.
 */
final class AttachOnStart implements SmartLifecycle {

	/** After the replication lifecycle ({@code DEFAULT_PHASE - 4096}), before the web server. */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

	private final Runnable attach;

	private volatile boolean running;

	AttachOnStart(Runnable attach) {
		this.attach = attach;
	}

	@Override
	public void start() {
		this.attach.run();
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}

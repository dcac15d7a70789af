package io.github.litestream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.github.litestream.lease.ReplicaLease;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.ReplicaClient;

/**
 * A real replica client whose store stalls the write that takes its lease (a create or a
 * replace of the lease object that does not release it) until {@link #proceed()}: a store that
 * is slow to answer, or times out, while a database's registration takes its lease. Releases
 * and other objects go through at once, and so do the writes of threads it does not stall.
 * Public for the Spring glue's tests, which stall a context's start with it.
 */
public class StalledLeaseStore extends ForwardingReplicaClient {

	private final Predicate<Thread> stalls;

	private final CountDownLatch stalled = new CountDownLatch(1);

	private final CountDownLatch proceed = new CountDownLatch(1);

	public StalledLeaseStore(ReplicaClient client) {
		this(client, (thread) -> true);
	}

	/**
	 * @param stalls which writing threads are stalled (an engine's start, say)
	 */
	public StalledLeaseStore(ReplicaClient client, Predicate<Thread> stalls) {
		super(client);
		this.stalls = stalls;
	}

	/**
	 * Waits until a write taking the lease is stalled.
	 * @return {@code false} if none was within a minute
	 */
	public boolean awaitStalled() throws InterruptedException {
		return this.stalled.await(1, TimeUnit.MINUTES);
	}

	/** Lets the stalled write, and every later one, through. */
	public void proceed() {
		this.proceed.countDown();
	}

	@Override
	public Optional<ConditionalObjects> conditionalObjects() {
		return super.conditionalObjects().map(Stalling::new);
	}

	private final class Stalling implements ConditionalObjects {

		private final ConditionalObjects objects;

		Stalling(ConditionalObjects objects) {
			this.objects = objects;
		}

		@Override
		public Optional<VersionedObject> read(String name) throws IOException {
			return this.objects.read(name);
		}

		@Override
		public String create(String name, byte[] content) throws IOException {
			stallIfTaking(name, content);
			return this.objects.create(name, content);
		}

		@Override
		public String replace(String name, byte[] content, String version) throws IOException {
			stallIfTaking(name, content);
			return this.objects.replace(name, content, version);
		}

		@Override
		public Optional<String> exclusivityProblem() throws IOException {
			return this.objects.exclusivityProblem();
		}

		private void stallIfTaking(String name, byte[] content) throws IOException {
			if (!name.equals(ReplicaLease.OBJECT) || !StalledLeaseStore.this.stalls.test(Thread.currentThread())
					|| new String(content, StandardCharsets.UTF_8).contains("\"released\":true")) {
				return;
			}
			StalledLeaseStore.this.stalled.countDown();
			try {
				StalledLeaseStore.this.proceed.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("Interrupted while the store stalled");
			}
		}

	}

}

package io.github.litestream.replica;

import java.io.IOException;
import java.util.Optional;

/**
 * A real store behind a front that a test changes one operation of (a failure, a retry, a
 * condition ignored), as {@link ForwardingReplicaClient} does for replica clients.
 */
public class ForwardingConditionalObjects implements ConditionalObjects {

	private final ConditionalObjects store;

	public ForwardingConditionalObjects(ConditionalObjects store) {
		this.store = store;
	}

	/**
	 * The store behind.
	 * @return the store
	 */
	protected final ConditionalObjects store() {
		return this.store;
	}

	@Override
	public Optional<VersionedObject> read(String name) throws IOException {
		return this.store.read(name);
	}

	@Override
	public String create(String name, byte[] content) throws IOException {
		return this.store.create(name, content);
	}

	@Override
	public String replace(String name, byte[] content, String version) throws IOException {
		return this.store.replace(name, content, version);
	}

}

package io.github.litestream.replica;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real store's conditional objects (the lease's) that fail while {@code down} is set, as an
 * unreachable store's requests do.
 */
public class UnreachableConditionalObjects extends ForwardingConditionalObjects {

	private final AtomicBoolean down;

	public UnreachableConditionalObjects(ConditionalObjects store, AtomicBoolean down) {
		super(store);
		this.down = down;
	}

	@Override
	public Optional<VersionedObject> read(String name) throws IOException {
		check();
		return super.read(name);
	}

	@Override
	public String create(String name, byte[] content) throws IOException {
		check();
		return super.create(name, content);
	}

	@Override
	public String replace(String name, byte[] content, String version) throws IOException {
		check();
		return super.replace(name, content, version);
	}

	private void check() throws IOException {
		if (this.down.get()) {
			throw new IOException("store unreachable");
		}
	}

}

package io.github.litestream.boot.autoconfigure;

import io.github.litestream.Litestream;

/**
 * Attaches listeners to the engine's databases and replicas after they are registered and
 * before replication starts, so that nothing replication does from its first moment (such as
 * the first snapshot) goes unseen. The replication lifecycle calls every bean of this type,
 * in order, each time it starts.
 */
@FunctionalInterface
public interface LitestreamListenersRegistrar {

	/**
	 * Attaches listeners; called with every database already in {@link Litestream#databases()}.
	 * @param litestream the engine, not yet started
	 */
	void registerListeners(Litestream litestream);

}

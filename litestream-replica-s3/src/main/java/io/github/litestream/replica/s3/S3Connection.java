package io.github.litestream.replica.s3;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The way of S3 replicas to their store: the SDK's {@link S3Client}, built at its first use,
 * and what a request sent around the SDK needs (see {@link S3DirectReader}).
 *
 * <p>Why at its first use: building an {@code S3Client} costs 0.6 to 1 s of CPU in a fresh JVM
 * (most of it the Apache HTTP client and its TLS set-up), and restore-on-boot, which runs in a
 * fresh JVM before the application starts, needs no SDK at all when its listings and reads go
 * out directly. The client is built when something writes, deletes or falls back to the SDK.
 *
 * <p>Made by {@link S3ClientFactory#connect(S3ReplicaConfig)}, which then owns the client it
 * builds and closes it in {@link #close()}; or around a client built elsewhere with
 * {@link #of(S3Client)}, whose caller keeps owning it.
 */
public final class S3Connection implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(S3Connection.class);

	private final Supplier<S3Client> builder;

	private final boolean ownsClient;

	private final Supplier<Optional<S3DirectAccess>> directAccess;

	private volatile S3Client client;

	/** The locations of the replicas warned about for their {@code skip-verify}, each once. */
	private final Set<String> skipVerifyWarned = ConcurrentHashMap.newKeySet();

	private volatile boolean closed;

	private S3Connection(Supplier<S3Client> builder, boolean ownsClient,
			Supplier<Optional<S3DirectAccess>> directAccess) {
		this.builder = builder;
		this.ownsClient = ownsClient;
		this.directAccess = directAccess;
	}

	/**
	 * A connection around a client built elsewhere; {@link #close()} leaves the client open. Its
	 * requests go around the SDK only if {@link S3ClientFactory} built it without customizers.
	 * @param s3 the client
	 * @return the connection
	 */
	public static S3Connection of(S3Client s3) {
		Objects.requireNonNull(s3, "s3");
		S3Connection connection = new S3Connection(() -> s3, false, () -> S3DirectAccess.of(s3));
		connection.client = s3;
		return connection;
	}

	/**
	 * A connection whose client is built by the factory at its first use, and closed with it.
	 * @param builder builds the client once
	 * @param directAccess what direct requests need, empty if they are not allowed
	 * @return the connection
	 */
	static S3Connection lazy(Supplier<S3Client> builder, Optional<S3DirectAccess> directAccess) {
		return new S3Connection(builder, true, () -> directAccess);
	}

	/**
	 * The SDK client, built now if it was not yet.
	 * @return the client
	 * @throws IllegalStateException if the connection was closed before the client was built
	 */
	public S3Client client() {
		S3Client built = this.client;
		if (built != null) {
			return built;
		}
		synchronized (this) {
			if (this.client == null) {
				if (this.closed) {
					throw new IllegalStateException("This S3 connection is closed");
				}
				long start = System.nanoTime();
				this.client = this.builder.get();
				logger.debug("Built the S3 client in {} ms", (System.nanoTime() - start) / 1_000_000);
			}
			return this.client;
		}
	}

	/**
	 * Told of each replica client made on this connection. A connection the factory made trusts
	 * any certificate when its replicas set {@code skip-verify}: each replica is warned about
	 * once, however many clients (the restore's, the replication's) it has.
	 * @param config the replica's configuration
	 */
	void replicaCreated(S3ReplicaConfig config) {
		if (this.ownsClient && config.skipVerify() && this.skipVerifyWarned.add(config.location())) {
			S3ClientFactory.warnOfSkipVerify(config);
		}
	}

	/**
	 * Whether the SDK client was built (tests: restoring should not need it).
	 * @return {@code true} once {@link #client()} built it
	 */
	boolean clientBuilt() {
		return this.client != null;
	}

	/**
	 * What requests sent around the SDK need, if they are allowed for this connection.
	 * @return the credentials, region and URL rules, or empty
	 */
	Optional<S3DirectAccess> directAccess() {
		return this.directAccess.get();
	}

	/**
	 * Closes the client if this connection built it; a client given to {@link #of(S3Client)}
	 * stays open.
	 */
	@Override
	public synchronized void close() {
		this.closed = true;
		if (this.ownsClient && this.client != null) {
			this.client.close();
		}
	}

}

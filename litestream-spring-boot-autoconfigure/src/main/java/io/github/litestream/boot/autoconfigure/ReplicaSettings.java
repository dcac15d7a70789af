package io.github.litestream.boot.autoconfigure;

import io.github.litestream.replica.ReplicaOptions;
import org.jspecify.annotations.Nullable;

/**
 * One replica's validated configuration: its type, its engine options and the settings its
 * {@link ReplicaClientProvider} bound and checked. {@link #toString()} never shows
 * credentials, as long as the backend's settings don't.
 *
 * @param property the property prefix it came from, such as
 * {@code litestream.dbs[0].replicas[1]}, for error messages
 * @param type the replica type, such as {@code file} or {@code s3}
 * @param options the engine options, including the replica's name
 * @param backend what the type's provider returned from
 * {@link ReplicaClientProvider#configure(ReplicaEntry)}
 * @param age the replica's age keys, or {@code null} when it is not encrypted
 */
public record ReplicaSettings(String property, String type, ReplicaOptions options, Object backend,
		@Nullable AgeSettings age) {

	/**
	 * Settings of a replica that is not encrypted.
	 * @param property the property prefix
	 * @param type the replica type
	 * @param options the engine options
	 * @param backend the provider's settings
	 */
	public ReplicaSettings(String property, String type, ReplicaOptions options, Object backend) {
		this(property, type, options, backend, null);
	}

	/**
	 * The replica's name, unique within its database.
	 * @return the name
	 */
	public String name() {
		return this.options.name();
	}

	/**
	 * The backend's settings as the provider's own type.
	 * @param <T> that type
	 * @param type its class
	 * @return the settings
	 */
	public <T> T backend(Class<T> type) {
		return type.cast(this.backend);
	}

	@Override
	public String toString() {
		return "ReplicaSettings[" + this.property + ", name=" + name() + ", type=" + this.type + ", " + this.backend
				+ ((this.age != null) ? ", " + this.age : "") + "]";
	}

}

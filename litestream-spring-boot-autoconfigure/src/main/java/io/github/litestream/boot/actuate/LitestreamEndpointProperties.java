package io.github.litestream.boot.actuate;

import java.nio.file.Path;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code litestream} endpoint's powerful operations: each is off unless enabled here,
 * whatever the endpoint's exposure.
 */
@ConfigurationProperties("management.endpoint.litestream")
public class LitestreamEndpointProperties {

	private final Restore restore = new Restore();

	private final Validate validate = new Validate();

	public Restore getRestore() {
		return this.restore;
	}

	public Validate getValidate() {
		return this.validate;
	}

	/**
	 * Restore into a side file.
	 */
	public static class Restore {

		/**
		 * Whether the endpoint may restore a point in time into a new side file (POST
		 * .../{db}/restore). It reads the replica and writes a new file; it never touches the
		 * live database.
		 */
		private boolean enabled;

		/**
		 * Directory for the restored side files. Defaults to a hidden ".litestream-restored"
		 * directory beside the database.
		 */
		private @Nullable Path directory;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public @Nullable Path getDirectory() {
			return this.directory;
		}

		public void setDirectory(@Nullable Path directory) {
			this.directory = directory;
		}

	}

	/**
	 * Validation now.
	 */
	public static class Validate {

		/**
		 * Whether the endpoint may validate a replica now (POST .../{db}/validate): it starts a
		 * new WAL index, restores the replica into a temporary file and compares checksums.
		 */
		private boolean enabled;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

}

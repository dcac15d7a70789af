package io.github.litestream.boot.testbackend;

import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

import io.github.litestream.boot.autoconfigure.LitestreamConfigurationException;
import io.github.litestream.boot.autoconfigure.ReplicaClientProvider;
import io.github.litestream.boot.autoconfigure.ReplicaEntry;
import io.github.litestream.boot.autoconfigure.ReplicaSettings;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.file.FileReplicaClient;

import org.springframework.util.StringUtils;

/**
 * A test-only backend, written the way a new backend module would be, using only the public
 * SPI: type {@code folder}, URL {@code folder://account}, keys {@code root} and
 * {@code account-name}; it keeps each account's replica in a directory of its own under the
 * root.
 */
public class FolderReplicaClientProvider implements ReplicaClientProvider {

	@Override
	public String type() {
		return "folder";
	}

	@Override
	public Set<String> keys() {
		return Set.of("root", "account-name");
	}

	@Override
	public Path configure(ReplicaEntry entry) {
		FolderReplicaProperties properties = entry.bind(FolderReplicaProperties.class);
		URI url = entry.url();
		String account = (url != null) ? url.getHost() : properties.getAccountName();
		if (!StringUtils.hasText(account)) {
			throw new LitestreamConfigurationException(entry.property("account-name"),
					"a folder replica needs an account", "Set " + entry.property("account-name") + ".");
		}
		if (!StringUtils.hasText(properties.getRoot())) {
			throw new LitestreamConfigurationException(entry.property("root"), "a folder replica needs a root",
					"Set " + entry.property("root") + " to a directory.");
		}
		return Path.of(properties.getRoot()).resolve(account);
	}

	@Override
	public ReplicaClient create(ReplicaSettings settings, ReplicaOperationListener listener) {
		return new FileReplicaClient(settings.backend(Path.class), listener);
	}

	/**
	 * The folder backend's own keys.
	 */
	public static class FolderReplicaProperties {

		private String root;

		private String accountName;

		public String getRoot() {
			return this.root;
		}

		public void setRoot(String root) {
			this.root = root;
		}

		public String getAccountName() {
			return this.accountName;
		}

		public void setAccountName(String accountName) {
			this.accountName = accountName;
		}

	}

}

package io.github.litestream.boot.autoconfigure;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

import io.github.litestream.HomeDirectory;
import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import io.github.litestream.replica.file.FileReplicaClient;

import org.springframework.util.StringUtils;

/**
 * Configures and creates {@code file} replicas: a directory holding Litestream's replica
 * layout, from {@code path} or {@code file:///directory}. It has no keys of its own.
 */
final class FileReplicaClientProvider implements ReplicaClientProvider {

	@Override
	public String type() {
		return "file";
	}

	@Override
	public Path configure(ReplicaEntry entry) {
		String directory = entry.path();
		URI url = entry.url();
		if (url != null) {
			if (StringUtils.hasText(url.getHost()) && !"localhost".equalsIgnoreCase(url.getHost())) {
				throw new LitestreamConfigurationException(entry.property("url"),
						"'" + url + "' names a host ('" + url.getHost() + "'), not a local directory",
						"Write the url as file:///absolute/directory (three slashes), or set " + entry.property("path")
								+ " instead.");
			}
			directory = url.getPath();
		}
		if (!StringUtils.hasText(directory)) {
			throw new LitestreamConfigurationException(entry.property("path"), "a file replica needs a directory",
					"Set " + entry.property("path") + " to the backup directory, or " + entry.property("url")
							+ " to file:///dir.");
		}
		try {
			return Path.of(HomeDirectory.expand(directory)).toAbsolutePath().normalize();
		}
		catch (InvalidPathException ex) {
			throw new LitestreamConfigurationException(entry.property((url != null) ? "url" : "path"),
					"'" + directory + "' is not a usable directory path",
					"Set " + entry.property("path") + " to the backup directory.", ex);
		}
	}

	@Override
	public ReplicaClient create(ReplicaSettings settings, ReplicaOperationListener listener) {
		return new FileReplicaClient(settings.backend(Path.class), listener);
	}

}

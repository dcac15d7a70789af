package io.github.litestream.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import io.github.litestream.replica.ReplicaClient;
import io.github.litestream.replica.ReplicaOperationListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restore-on-boot of a {@code dir} entry: the databases its replicas hold and the disk lacks,
 * each restored as a single database is.
 */
final class DirectoryRestorer {

	private static final Logger logger = LoggerFactory.getLogger(DirectoryRestorer.class);

	private final ReplicaClientFactory clients;

	private final DatabaseRestorer restorer;

	DirectoryRestorer(ReplicaClientFactory clients, DatabaseRestorer restorer) {
		this.clients = clients;
		this.restorer = restorer;
	}

	/**
	 * Restores every database of a directory entry that one of its replicas holds and the disk
	 * lacks (each as {@link DatabaseRestorer#restoreIfMissing} does). A backend that can't list
	 * what it holds below its path is logged and passed over: its databases are still restored
	 * one by one when a DataSource opens them.
	 * @param entry an entry with {@code dir}
	 * @return how many databases were restored
	 */
	int restore(DatabaseSettings entry) {
		DirectorySettings directory = entry.directory();
		if (directory == null || !entry.restore()) {
			return 0;
		}
		Set<String> held = new TreeSet<>();
		for (ReplicaSettings replica : entry.replicas()) {
			ReplicaClient client = this.clients.create(replica, ReplicaOperationListener.NONE);
			try (client) {
				held.addAll(client.databasesBelow(directory.recursive()));
			}
			catch (UnsupportedOperationException ex) {
				logger.warn("Replica '{}' of {} ({}): {}", replica.name(), directory.dir(), entry.property(),
						ex.getMessage());
			}
			catch (IOException | RuntimeException ex) {
				throw new LitestreamRestoreException(directory.dir(), entry.property(), replica.name(),
						client.location(), false, ex);
			}
		}
		int restored = 0;
		for (String relative : held) {
			Path file = directory.dir().resolve(relative).normalize();
			if (!directory.holds(file) || Files.exists(file)) {
				continue;
			}
			createParent(entry, file);
			if (this.restorer.restoreIfMissing(entry.inDirectory(relative))) {
				restored++;
			}
		}
		if (restored > 0) {
			logger.info("Restored {} of the {} databases of {} its replicas hold", restored, held.size(), directory.dir());
		}
		return restored;
	}

	private static void createParent(DatabaseSettings entry, Path file) {
		try {
			Files.createDirectories(file.getParent());
		}
		catch (IOException ex) {
			throw new LitestreamConfigurationException(entry.property() + ".dir",
					"the directory of " + file + " can't be created to restore it",
					"Give the application write access to " + entry.directory().dir() + ".", ex);
		}
	}

}

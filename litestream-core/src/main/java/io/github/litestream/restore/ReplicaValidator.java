package io.github.litestream.restore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.zip.CRC32C;

import io.github.litestream.db.ReplicationSource;
import io.github.litestream.db.ReplicationSource.DatabaseChecksum;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaStatus.ValidationResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves a replica restorable: starts a new WAL index on the database and checksums its file,
 * lets the replica catch up, restores the replica up to the previous index into a temporary
 * file and compares the two checksums.
 */
public final class ReplicaValidator {

	private static final Logger logger = LoggerFactory.getLogger(ReplicaValidator.class);

	private final Clock clock;

	/**
	 * Creates a validator.
	 * @param clock the clock for result times
	 */
	public ReplicaValidator(Clock clock) {
		this.clock = clock;
	}

	/**
	 * Validates a replica; call it on the replica's own thread.
	 * @param replica the replica
	 * @return the outcome
	 * @throws IOException if the database is busy or the replica cannot be read
	 */
	public ValidationResult validate(Replica replica) throws IOException {
		ReplicationSource database = replica.database();
		DatabaseChecksum live = database.checksumAtNewIndex();
		replica.sync();
		Pos target = live.position();
		Path dir = Files.createTempDirectory("litestream-validate-");
		Path restored = dir.resolve("replica.db");
		try {
			RestoreOptions options = RestoreOptions.latest(restored)
				.withGeneration(target.generation())
				.withIndex(target.index() - 1);
			new Restorer().restore(replica.client(), options);
			long crc = crc32c(restored);
			boolean matched = crc == live.crc32c();
			String detail = String.format("database crc32c=%08x, replica crc32c=%08x at %s/%s", live.crc32c(), crc,
					target.generation(), Pos.hex(target.index() - 1));
			if (matched) {
				logger.info("Replica '{}' of {} validated: {}", replica.name(), database.path(), detail);
			}
			else {
				logger.error("Replica '{}' of {} does NOT match the database: {}", replica.name(), database.path(),
						detail);
			}
			return new ValidationResult(this.clock.instant(), target, matched, detail);
		}
		finally {
			deleteTree(dir);
		}
	}

	private static long crc32c(Path file) throws IOException {
		CRC32C crc = new CRC32C();
		byte[] buffer = new byte[64 * 1024];
		try (InputStream in = Files.newInputStream(file)) {
			int n;
			while ((n = in.read(buffer)) > 0) {
				crc.update(buffer, 0, n);
			}
		}
		return crc.getValue();
	}

	private static void deleteTree(Path dir) throws IOException {
		try (var files = Files.list(dir)) {
			for (Path file : (Iterable<Path>) files::iterator) {
				Files.deleteIfExists(file);
			}
		}
		Files.deleteIfExists(dir);
	}

}

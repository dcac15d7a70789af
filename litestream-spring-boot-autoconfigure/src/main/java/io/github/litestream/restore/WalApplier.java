package io.github.litestream.restore;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.litestream.db.Pos;
import io.github.litestream.sqlite.InvalidWalException;
import io.github.litestream.sqlite.WalHeader;
import io.github.litestream.sqlite.WalScanner;

/**
 * Applies one WAL index to the database being restored, through SQLite itself: the WAL is
 * validated (header, salts, checksum chain), cut after its last commit frame so that only
 * whole transactions are applied, placed next to the database as its {@code -wal} file, and
 * checkpointed with {@code wal_checkpoint(TRUNCATE)}.
 */
final class WalApplier {

	private static final Logger logger = LoggerFactory.getLogger(WalApplier.class);

	private final Path database;

	private final String replicaLocation;

	private final String generation;

	/**
	 * Creates an applier for one temporary database.
	 * @param database the database being restored (not the final output)
	 * @param replicaLocation the replica, for messages
	 * @param generation the generation, for messages
	 */
	WalApplier(Path database, String replicaLocation, String generation) {
		this.database = database;
		this.replicaLocation = replicaLocation;
		this.generation = generation;
	}

	/**
	 * Applies a WAL file; it is moved away (consumed) on success.
	 * @param wal the index's WAL, all segments concatenated
	 * @param index the WAL index
	 * @return the number of frames applied
	 * @throws IOException if the WAL is invalid or SQLite cannot apply it
	 */
	int apply(Path wal, long index) throws IOException {
		int frames = validate(wal, index);
		if (frames == 0) {
			logger.debug("WAL index {} holds no committed transaction; nothing to apply", Pos.hex(index));
			Files.delete(wal);
			return 0;
		}
		Files.move(wal, sibling("-wal"), StandardCopyOption.REPLACE_EXISTING);
		checkpoint(index);
		return frames;
	}

	/**
	 * Checks that the restored database is sound.
	 * @throws IOException if {@code PRAGMA integrity_check} reports problems
	 */
	void checkIntegrity() throws IOException {
		List<String> problems = new ArrayList<>();
		try (Connection connection = open();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("PRAGMA integrity_check")) {
			while (result.next() && problems.size() < 10) {
				problems.add(result.getString(1));
			}
		}
		catch (SQLException ex) {
			throw new RestoreException("Cannot check the integrity of the database restored from generation "
					+ this.generation + " in " + this.replicaLocation + ": " + ex.getMessage()
					+ "; the snapshot is probably corrupt, restore from another snapshot or replica", ex);
		}
		if (!problems.equals(List.of("ok"))) {
			throw new RestoreException("The database restored from generation " + this.generation + " in "
					+ this.replicaLocation + " fails PRAGMA integrity_check: " + problems
					+ "; restore an earlier index or from another replica");
		}
	}

	private int validate(Path wal, long index) throws IOException {
		try (FileChannel channel = FileChannel.open(wal, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
			long size = channel.size();
			WalHeader header = WalScanner.readHeader(channel);
			WalScanner.WalScan scan = WalScanner.scan(channel, header, WalHeader.SIZE, header.checksum());
			if (scan.end() < size) {
				logger.info("Dropping {} bytes after the last valid commit frame of generation={} index={} "
						+ "(an incomplete transaction or stale frames); {} frames are applied", size - scan.end(),
						this.generation, Pos.hex(index), scan.frames());
				channel.truncate(scan.end());
			}
			return scan.frames();
		}
		catch (InvalidWalException | EOFException ex) {
			throw new RestoreException("WAL index generation=" + this.generation + " index=" + Pos.hex(index) + " in "
					+ this.replicaLocation + " is not a valid SQLite WAL: " + ex.getMessage()
					+ "; its segment at offset 00000000 is corrupt, restore up to the previous index "
					+ "or from another replica",
					ex);
		}
	}

	private void checkpoint(long index) throws IOException {
		try (Connection connection = open();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
			if (!result.next() || result.getInt(1) != 0) {
				throw new RestoreException("SQLite could not checkpoint WAL index " + Pos.hex(index) + " of generation "
						+ this.generation + " into " + this.database
						+ " (busy); make sure nothing else opens the restore's temporary files");
			}
		}
		catch (SQLException ex) {
			throw new RestoreException("SQLite could not apply WAL index " + Pos.hex(index) + " of generation "
					+ this.generation + " from " + this.replicaLocation + ": " + ex.getMessage()
					+ "; restore up to the previous index or from another replica", ex);
		}
	}

	private Connection open() throws SQLException {
		return DriverManager.getConnection("jdbc:sqlite:" + this.database);
	}

	private Path sibling(String suffix) {
		return this.database.resolveSibling(this.database.getFileName() + suffix);
	}

}

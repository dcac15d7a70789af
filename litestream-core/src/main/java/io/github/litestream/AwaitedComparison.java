package io.github.litestream;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A leased database whose file is not replicated yet because its comparison with a replica
 * (see {@link FileCheck}) has not been made: that replica's store has not answered, or its lease
 * has not been taken yet. Nothing is known to be wrong; no replica of the database is written
 * until every comparison due is made, as a file found stale later must have reached none.
 *
 * @param database the database file
 * @param replica the name of the first replica whose comparison is awaited
 * @param location where that replica lives (no credentials)
 * @param leaseTaken whether this instance holds that replica's lease already (if not, its store
 * has not answered yet, and whether the comparison is due is not known yet)
 * @param since since when writes of the database wait for the comparison
 */
public record AwaitedComparison(Path database, String replica, String location, boolean leaseTaken,
		Instant since) {

	/**
	 * What is awaited, in words.
	 * @return the description
	 */
	public String describe() {
		return this.database + " awaits its comparison with replica '" + this.replica + "' (" + this.location
				+ ") since " + this.since + (this.leaseTaken ? "" : ", whose lease is not taken yet")
				+ ": nothing of it is written to any of its replicas until it is compared, as another instance "
				+ "may have written to the replica since the file was last replicated";
	}

}

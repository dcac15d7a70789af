package io.github.litestream.boot.actuate;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;

import io.github.litestream.AppDatabase;
import io.github.litestream.boot.actuate.LitestreamEndpoint.ReplicaContentsDescriptor;
import io.github.litestream.boot.actuate.LitestreamEndpoint.WalSegmentDescriptor;
import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.db.ReplicatedDatabase;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.file.FileReplicaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint lists a replica's newest WAL segments: with an older generation whose name sorts
 * after the current one, the current generation's segments (the newest) must be among them.
 */
class ReplicaContentsNewestSegmentsTests {

	private static final String OLD = "ffffffffffffffff";

	@TempDir
	Path dir;

	@Test
	void theNewestSegmentsListedAreTheCurrentGenerations() throws Exception {
		Path path = this.dir.resolve("app.db");
		FileReplicaClient client = new FileReplicaClient(this.dir.resolve("replica"));
		for (int n = 0; n <= ReplicaContentsReader.MAX_WAL_SEGMENTS; n++) {
			client.writeWalSegment(new Pos(OLD, n, 0), new ByteArrayInputStream(new byte[] { 1 }));
		}
		try (AppDatabase app = new AppDatabase(path)) {
			ReplicatedDatabase database = new ReplicatedDatabase(DatabaseOptions.defaults(path));
			database.open();
			try {
				Replica replica = new Replica(database, client, ReplicaOptions.defaults("file"));
				app.insert(5);
				database.sync();
				replica.sync();
				String current = replica.position().orElseThrow().generation();
				assertThat(current).isLessThan(OLD);
				ReplicaContentsDescriptor contents = new ReplicaContentsReader().read(replica);
				assertThat(contents.walSegments()).extracting(WalSegmentDescriptor::generation).contains(current);
			}
			finally {
				database.close();
			}
		}
	}

}

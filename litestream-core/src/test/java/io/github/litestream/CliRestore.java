package io.github.litestream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.litestream.replica.Pos;
import io.github.litestream.replica.SnapshotInfo;
import io.github.litestream.replica.WalSegmentInfo;
import io.github.litestream.replica.file.FileReplicaClient;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Restores the latest state of a file replica's generation the way the stock Litestream v0.3
 * CLI does, with no code of this project on the data path: the {@code lz4} CLI decompresses the
 * newest snapshot and each index's segments (concatenated in offset order into the database's
 * {@code -wal}), and the {@code sqlite3} CLI replays each index with a checkpoint. A replica
 * that this restores to the right state is laid out and encoded as Litestream reads it.
 */
public final class CliRestore {

	private CliRestore() {
	}

	/**
	 * Restores a generation to its last index.
	 * @param replica the replica's root
	 * @param generation the generation
	 * @param output the database file to create
	 * @throws Exception if a CLI fails
	 */
	public static void restore(Path replica, String generation, Path output) throws Exception {
		assumeTrue(onPath("lz4") && onPath("sqlite3"), "the lz4 and sqlite3 CLIs are needed for this check");
		FileReplicaClient client = new FileReplicaClient(replica);
		List<SnapshotInfo> snapshots = client.snapshots(generation);
		SnapshotInfo snapshot = snapshots.get(snapshots.size() - 1);
		Path dir = replica.resolve("generations").resolve(generation);
		run(List.of("lz4", "-d", "-f", "-q", dir.resolve("snapshots/" + Pos.hex(snapshot.index()) + ".snapshot.lz4").toString(),
				output.toString()));
		List<WalSegmentInfo> segments = client.walSegments(generation);
		long last = segments.get(segments.size() - 1).index();
		Path wal = output.resolveSibling(output.getFileName() + "-wal");
		for (long index = snapshot.index(); index <= last; index++) {
			try (OutputStream out = Files.newOutputStream(wal)) {
				for (WalSegmentInfo segment : segments) {
					if (segment.index() == index) {
						out.write(run(List.of("lz4", "-d", "-c", "-q", dir.resolve("wal/" + Pos.hex(index) + "_"
								+ Pos.hex(segment.offset()) + ".wal.lz4").toString())));
					}
				}
			}
			run(List.of("sqlite3", output.toString(), "PRAGMA wal_checkpoint(TRUNCATE)"));
		}
		Files.deleteIfExists(wal);
		String integrity = new String(run(List.of("sqlite3", output.toString(), "PRAGMA integrity_check")),
				StandardCharsets.UTF_8).trim();
		if (!integrity.equals("ok")) {
			throw new AssertionError("sqlite3 finds " + output + " damaged: " + integrity);
		}
	}

	private static boolean onPath(String command) {
		try {
			return new ProcessBuilder("which", command).start().waitFor() == 0;
		}
		catch (IOException | InterruptedException ex) {
			return false;
		}
	}

	private static byte[] run(List<String> command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		byte[] out = process.getInputStream().readAllBytes();
		if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
			throw new IOException(command + " failed");
		}
		return out;
	}

}

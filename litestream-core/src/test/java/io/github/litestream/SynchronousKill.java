package io.github.litestream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link SynchronousWriter} in a child JVM and SIGKILLs it right after one of its
 * commits returned.
 */
public final class SynchronousKill {

	private SynchronousKill() {
	}

	/**
	 * Starts the writer, reads its output until commit {@code seq} returned, and kills it at once.
	 * @param writer {@link SynchronousWriter}, or a main class that runs it with another client
	 * @param dir where its database and stderr go
	 * @param args its arguments after the database
	 * @param environment variables for the child (S3 credentials)
	 * @param seq the commit after which to kill it
	 * @return the database the writer wrote
	 * @throws IOException if the writer stopped before that commit or did not die by SIGKILL
	 * @throws InterruptedException if interrupted while waiting for it
	 */
	public static Path afterCommit(Class<?> writer, Path dir, List<String> args, Map<String, String> environment,
			long seq) throws IOException, InterruptedException {
		Path db = dir.resolve("app.db");
		Path stderr = dir.resolve("writer.err");
		List<String> all = new ArrayList<>(List.of(db.toString()));
		all.addAll(args);
		ProcessBuilder builder = ChildJvm.builder(writer, List.of("-Xmx128m"), all.toArray(String[]::new))
			.redirectError(stderr.toFile());
		builder.environment().putAll(environment);
		Process child = builder.start();
		try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
			String expected = "replicated " + seq;
			String line;
			do {
				line = out.readLine();
				if (line == null) {
					throw new IOException("The writer stopped before commit " + seq + "; its stderr is in " + stderr);
				}
			}
			while (!line.equals(expected));
		}
		finally {
			child.destroyForcibly();
		}
		if (!child.waitFor(30, TimeUnit.SECONDS) || child.exitValue() != 137) {
			throw new IOException("The writer did not end by SIGKILL; its stderr is in " + stderr);
		}
		return db;
	}

}

package io.github.litestream.restore;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * What to restore, and where. Without a generation, index or timestamp the latest state is
 * restored.
 *
 * @param outputPath where the database file goes; must not exist (see {@code ifDbNotExists})
 * @param generation restore from this generation only, or {@code null} for the most recent one
 * @param index restore up to and including this WAL index, or {@code null}
 * @param timestamp restore the state as of this time (by object timestamps), or {@code null}
 * @param parallelism how many WAL segments to fetch at once
 * @param ifDbNotExists when the output exists, do nothing instead of failing
 * @param ifReplicaExists when the replica holds no backup, do nothing instead of failing
 * @param fallBack when an object the restore needs is missing or corrupt, restore the newest
 * earlier point of the same generation that is intact instead of failing
 * @param continueGeneration when the restore reaches the end of the replica's newest
 * generation, leave the local state that lets the engine continue that generation instead of
 * starting a new one with a full snapshot (see {@link #withContinueGeneration(boolean)})
 */
public record RestoreOptions(Path outputPath, String generation, Long index, Instant timestamp, int parallelism,
		boolean ifDbNotExists, boolean ifReplicaExists, boolean fallBack, boolean continueGeneration) {

	/** Default {@link #parallelism()}. */
	public static final int DEFAULT_PARALLELISM = 8;

	/**
	 * Validates the options.
	 * @param outputPath the output file
	 * @param generation the generation or {@code null}
	 * @param index the index or {@code null}
	 * @param timestamp the timestamp or {@code null}
	 * @param parallelism the parallelism
	 * @param ifDbNotExists whether an existing output is fine
	 * @param ifReplicaExists whether an empty replica is fine
	 * @param fallBack whether to fall back to an earlier intact point
	 * @param continueGeneration whether the engine may continue the restored generation
	 */
	public RestoreOptions {
		Objects.requireNonNull(outputPath, "outputPath");
		if (index != null && timestamp != null) {
			throw new IllegalArgumentException("Restore to an index or to a timestamp, not both");
		}
		if (parallelism < 1) {
			throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
		}
	}

	/**
	 * Options that restore the latest state into a new file.
	 * @param outputPath the output file
	 * @return the options
	 */
	public static RestoreOptions latest(Path outputPath) {
		return new RestoreOptions(outputPath, null, null, null, DEFAULT_PARALLELISM, false, false, false, false);
	}

	/**
	 * A copy that restores from one generation.
	 * @param generation the generation
	 * @return the new options
	 */
	public RestoreOptions withGeneration(String generation) {
		return new RestoreOptions(this.outputPath, generation, this.index, this.timestamp, this.parallelism,
				this.ifDbNotExists, this.ifReplicaExists, this.fallBack, this.continueGeneration);
	}

	/**
	 * A copy that restores up to an index.
	 * @param index the index
	 * @return the new options
	 */
	public RestoreOptions withIndex(long index) {
		return new RestoreOptions(this.outputPath, this.generation, index, null, this.parallelism, this.ifDbNotExists,
				this.ifReplicaExists, this.fallBack, this.continueGeneration);
	}

	/**
	 * A copy that restores the state as of a time.
	 * @param timestamp the time
	 * @return the new options
	 */
	public RestoreOptions withTimestamp(Instant timestamp) {
		return new RestoreOptions(this.outputPath, this.generation, null, timestamp, this.parallelism,
				this.ifDbNotExists, this.ifReplicaExists, this.fallBack, this.continueGeneration);
	}

	/**
	 * A copy with another parallelism.
	 * @param parallelism the parallelism
	 * @return the new options
	 */
	public RestoreOptions withParallelism(int parallelism) {
		return new RestoreOptions(this.outputPath, this.generation, this.index, this.timestamp, parallelism,
				this.ifDbNotExists, this.ifReplicaExists, this.fallBack, this.continueGeneration);
	}

	/**
	 * A copy with if-db-not-exists and if-replica-exists set.
	 * @param ifDbNotExists whether an existing output is fine
	 * @param ifReplicaExists whether an empty replica is fine
	 * @return the new options
	 */
	public RestoreOptions withConditions(boolean ifDbNotExists, boolean ifReplicaExists) {
		return new RestoreOptions(this.outputPath, this.generation, this.index, this.timestamp, this.parallelism,
				ifDbNotExists, ifReplicaExists, this.fallBack, this.continueGeneration);
	}

	/**
	 * A copy that falls back, or not, to the newest intact earlier point when an object the
	 * restore needs is missing or corrupt. Every fallback is logged at WARN with the object
	 * it avoided, and listed in the {@link RestoreResult}.
	 * @param fallBack whether to fall back
	 * @return the new options
	 */
	public RestoreOptions withFallBack(boolean fallBack) {
		return new RestoreOptions(this.outputPath, this.generation, this.index, this.timestamp, this.parallelism,
				this.ifDbNotExists, this.ifReplicaExists, fallBack, this.continueGeneration);
	}

	/**
	 * A copy that lets the engine continue the restored generation, or not. Only a restore to
	 * the end of the replica's newest generation qualifies (the latest state, no fallback past
	 * damage): then the database file is byte for byte what the replica holds, and the engine
	 * started on it writes the next WAL index of that generation instead of a new generation
	 * and a full snapshot. A restore to an earlier point never continues: its next WAL would
	 * fork the history the replica already holds after that point. The state is written next to
	 * the database ({@code .<db>-litestream}), as a clean shutdown leaves it.
	 * @param continueGeneration whether to leave that state
	 * @return the new options
	 */
	public RestoreOptions withContinueGeneration(boolean continueGeneration) {
		return new RestoreOptions(this.outputPath, this.generation, this.index, this.timestamp, this.parallelism,
				this.ifDbNotExists, this.ifReplicaExists, this.fallBack, continueGeneration);
	}

}

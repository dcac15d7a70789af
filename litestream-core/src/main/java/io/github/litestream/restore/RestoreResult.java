package io.github.litestream.restore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.github.litestream.replica.Pos;

/**
 * What a restore did: either it restored a database (and from what), or it skipped and why.
 *
 * @param outputPath the database file
 * @param restored whether a database was written
 * @param skipReason why nothing was restored, or {@code null} when {@code restored}
 * @param plan what was restored, or {@code null} when skipped
 * @param walBytes decompressed WAL bytes fetched
 * @param elapsed how long the restore took
 * @param avoided damaged objects a fallback avoided, in the order met (empty unless the
 * options asked to fall back)
 * @param continuedAfter the position after which the engine continues the restored generation
 * (see {@link RestoreOptions#withContinueGeneration(boolean)}), or {@code null} if it starts a
 * new one
 */
public record RestoreResult(Path outputPath, boolean restored, String skipReason, RestorePlan plan, long walBytes,
		Duration elapsed, List<DamagedObject> avoided, Pos continuedAfter) {

	/**
	 * Checks the result is one or the other.
	 * @param outputPath the output
	 * @param restored whether restored
	 * @param skipReason the reason
	 * @param plan the plan
	 * @param walBytes the WAL bytes
	 * @param elapsed the duration
	 * @param avoided the damaged objects avoided
	 * @param continuedAfter where the engine continues the generation, or {@code null}
	 */
	public RestoreResult {
		Objects.requireNonNull(outputPath, "outputPath");
		avoided = List.copyOf(avoided);
		if (restored != (plan != null) || restored == (skipReason != null)) {
			throw new IllegalArgumentException("A restore result has a plan when restored, a reason when skipped");
		}
	}

	static RestoreResult restored(Path outputPath, RestorePlan plan, long walBytes, Duration elapsed,
			List<DamagedObject> avoided, Pos continuedAfter) {
		return new RestoreResult(outputPath, true, null, plan, walBytes, elapsed, avoided, continuedAfter);
	}

	static RestoreResult skipped(Path outputPath, String reason, Duration elapsed) {
		return new RestoreResult(outputPath, false, reason, null, 0, elapsed, List.of(), null);
	}

	/**
	 * Whether a fallback restored an earlier point than asked for.
	 * @return {@code true} if damaged objects were avoided
	 */
	public boolean fellBack() {
		return !this.avoided.isEmpty();
	}

	@Override
	public String toString() {
		return this.restored ? "restored " + this.outputPath + " (" + this.plan + ")"
				+ (fellBack() ? ", falling back past " + this.avoided : "")
				: "skipped " + this.outputPath + ": " + this.skipReason;
	}

}

package io.github.litestream.boot.autoconfigure;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.function.Function;

/**
 * The directory of a {@code litestream.dbs[n]} entry with {@code dir}: which files it
 * replicates, and how each one's replicas are made.
 *
 * @param dir the canonical directory
 * @param pattern the glob matched against file names
 * @param recursive whether subdirectories count too
 * @param replicasOf the replicas of the database at a relative path, each under
 * {@code <replica path>/<relative path>/}
 */
public record DirectorySettings(Path dir, String pattern, boolean recursive,
		Function<String, List<ReplicaSettings>> replicasOf) {

	/**
	 * Whether a file is one of the directory's databases: below it (directly unless
	 * recursive), its name matching the pattern, and no hidden name on the way.
	 * @param file a canonical file
	 * @return {@code true} if the directory entry replicates it
	 */
	boolean holds(Path file) {
		if (!file.startsWith(this.dir) || file.equals(this.dir)) {
			return false;
		}
		Path relative = this.dir.relativize(file);
		if (!this.recursive && relative.getNameCount() != 1) {
			return false;
		}
		for (Path name : relative) {
			if (name.toString().startsWith(".")) {
				return false;
			}
		}
		PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + this.pattern);
		return matcher.matches(file.getFileName());
	}

	/**
	 * A file's path relative to the directory, as replica paths use it.
	 * @param file a file the directory {@link #holds(Path) holds}
	 * @return the relative path, {@code /}-separated
	 */
	String relative(Path file) {
		return this.dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
	}

	@Override
	public String toString() {
		return "DirectorySettings[dir=" + this.dir + ", pattern=" + this.pattern + ", recursive=" + this.recursive + "]";
	}

}

package io.github.litestream;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.Map;

/**
 * Which files of a replicated directory are its databases: regular files whose name matches the
 * glob pattern, in the directory itself or below it when recursive, neither hidden (nor under a
 * hidden directory) nor SQLite's own files beside a database (see {@link TenantFiles}). Symbolic
 * links are followed, to directories only when recursive; a file reached under two names is
 * listed under one (see {@link TenantLinks}). A scan lists them; {@link DirectoryReplication#add} and {@link DirectoryReplication#delete} check a
 * file by the same rules.
 */
final class TenantMatcher {

	private final Path directory;

	private final PathMatcher pattern;

	private final String patternText;

	private final boolean recursive;

	/** The links a scan met; one scan at a time uses it. */
	private final TenantLinks links;

	/**
	 * Creates the rules of a directory.
	 * @param directory an absolute, normalized directory
	 * @param pattern a glob matched against file names, such as {@code *.db}
	 * @param recursive whether to look in subdirectories too
	 * @throws IllegalArgumentException if the pattern is not a valid glob
	 */
	TenantMatcher(Path directory, String pattern, boolean recursive) {
		this.directory = directory;
		this.pattern = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
		this.patternText = pattern;
		this.recursive = recursive;
		this.links = new TenantLinks(directory);
	}

	/**
	 * Lists the directory's databases.
	 * @return the files by their {@link TenantFiles#relative} path
	 * @throws IOException if the directory cannot be listed
	 */
	Map<String, Path> list() throws IOException {
		if (!Files.isDirectory(this.directory)) {
			throw new NoSuchFileException(this.directory.toString(), null, "not a directory");
		}
		this.links.begin();
		// Links followed: to a file at any depth, to a directory only below the first level, that
		// is when recursive. The walk itself stops at a directory link back into its own path.
		Files.walkFileTree(this.directory, EnumSet.of(FileVisitOption.FOLLOW_LINKS),
				this.recursive ? Integer.MAX_VALUE : 1, new SimpleFileVisitor<>() {

			@Override
			public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
				return (!dir.equals(TenantMatcher.this.directory) && TenantFiles.hidden(dir)) ? FileVisitResult.SKIP_SUBTREE
						: FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
				if (TenantFiles.hidden(file) || TenantFiles.sqliteCompanion(file)
						|| !TenantMatcher.this.pattern.matches(file.getFileName())) {
					return FileVisitResult.CONTINUE;
				}
				String relative = TenantFiles.relative(TenantMatcher.this.directory, file);
				if (attrs.isRegularFile()) {
					TenantMatcher.this.links.candidate(relative, file, attrs.fileKey());
				}
				else if (attrs.isSymbolicLink()) {
					// Followed, the walk gives a link's own attributes only when its target is missing.
					TenantMatcher.this.links.dangling(relative, file);
				}
				return FileVisitResult.CONTINUE;
			}

			@Override
			public FileVisitResult visitFileFailed(Path file, IOException ex) {
				if (ex instanceof FileSystemLoopException && !TenantFiles.hidden(file)) {
					TenantMatcher.this.links.loop(TenantFiles.relative(TenantMatcher.this.directory, file));
				}
				// Else a file or subdirectory removed while listing: the next scan sees the rest.
				return FileVisitResult.CONTINUE;
			}

		});
		return this.links.end();
	}

	/**
	 * A database's path relative to the directory, checked against the rules.
	 * @param file an absolute, normalized path
	 * @return its path relative to the directory, {@code /}-separated
	 * @throws IllegalArgumentException if the file is not one of the directory's databases
	 */
	String relativeOf(Path file) {
		boolean inside = file.startsWith(this.directory) && !file.equals(this.directory)
				&& (this.recursive || file.getParent().equals(this.directory));
		if (!inside || TenantFiles.hidden(file) || TenantFiles.sqliteCompanion(file)
				|| !this.pattern.matches(file.getFileName())) {
			throw new IllegalArgumentException(file + " is not a database of " + this.directory + " (pattern "
					+ this.patternText + (this.recursive ? ", recursive" : "") + ")");
		}
		return TenantFiles.relative(this.directory, file);
	}

}

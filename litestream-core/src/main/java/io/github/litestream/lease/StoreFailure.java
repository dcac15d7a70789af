package io.github.litestream.lease;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Words for a failed request to a lease's store, for a fence reason. The JDK's file
 * exceptions without a reason ({@link NotDirectoryException}, {@link NoSuchFileException},
 * {@link AccessDeniedException}) have only the path as their message, so a fence reason of
 * "the lease could not be renewed: /backups/app" would not say what went wrong.
 */
final class StoreFailure {

	private StoreFailure() {
	}

	static String reason(Exception ex) {
		String message = ex.getMessage();
		if (ex instanceof FileSystemException failure && failure.getReason() == null) {
			return message + ": " + kind(failure);
		}
		return (message != null) ? message : ex.getClass().getSimpleName();
	}

	private static String kind(FileSystemException failure) {
		if (failure instanceof NotDirectoryException) {
			return "not a directory";
		}
		if (failure instanceof NoSuchFileException) {
			return "no such file or directory";
		}
		if (failure instanceof AccessDeniedException) {
			return "access denied";
		}
		if (failure instanceof FileAlreadyExistsException) {
			return "already exists";
		}
		return failure.getClass().getSimpleName();
	}

}

package io.github.litestream;

import java.io.File;

/**
 * The user's home directory in paths, as Litestream v0.3 expands it: a path of {@code ~}
 * alone or starting with {@code ~/} means the home directory. The shell does this for
 * {@code -config ~/x} but not for {@code -config=~/x}, a quoted value or a configuration file,
 * so every path the configuration or the command line names goes through here.
 * {@code ~user/} is not expanded (Litestream does not either).
 */
public final class HomeDirectory {

	private HomeDirectory() {
	}

	/**
	 * Expands a leading {@code ~} to the home directory ({@code user.home}).
	 * @param path a path as configured or typed
	 * @return the path with the home directory expanded; any other path unchanged
	 */
	public static String expand(String path) {
		if (path.equals("~") || path.startsWith("~/") || path.startsWith("~" + File.separator)) {
			return System.getProperty("user.home") + path.substring(1);
		}
		return path;
	}

}

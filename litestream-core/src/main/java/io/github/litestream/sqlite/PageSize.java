package io.github.litestream.sqlite;

/**
 * SQLite page sizes: powers of two from 512 to 65536.
 */
public final class PageSize {

	private PageSize() {
	}

	/**
	 * Whether a number is a page size SQLite can use.
	 * @param size the candidate
	 * @return {@code true} for a power of two between 512 and 65536
	 */
	public static boolean isValid(int size) {
		return size >= 512 && size <= 65536 && Integer.bitCount(size) == 1;
	}

}

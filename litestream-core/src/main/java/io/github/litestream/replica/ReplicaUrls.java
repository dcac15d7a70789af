package io.github.litestream.replica;

/**
 * Replica URLs as they may appear in messages.
 */
public final class ReplicaUrls {

	private static final String HIDDEN = "******";

	private ReplicaUrls() {
	}

	/**
	 * Hides the password of a URL's user info ({@code sftp://user:password@host/path}), also in a
	 * URL that does not parse: a password holding {@code /}, {@code #} or a bad {@code %} escape
	 * is exactly what makes it invalid. Everything from the first colon after the scheme to the
	 * last {@code @} is hidden, which hides more than the password when a path holds an
	 * {@code @}, never less.
	 * @param url the URL as written, or {@code null}
	 * @return the URL without its password
	 */
	public static String redact(String url) {
		if (url == null) {
			return null;
		}
		int scheme = url.indexOf("://");
		if (scheme < 0) {
			return url;
		}
		int at = url.lastIndexOf('@');
		int colon = url.indexOf(':', scheme + 3);
		if (at < 0 || colon < 0 || colon > at) {
			return url;
		}
		return url.substring(0, colon + 1) + HIDDEN + url.substring(at);
	}

}

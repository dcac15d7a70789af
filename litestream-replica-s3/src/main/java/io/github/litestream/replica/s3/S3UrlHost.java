package io.github.litestream.replica.s3;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the host of an {@code s3://} replica URL says, read as Litestream reads it: a plain host
 * is a bucket on AWS; a host of a known S3-compatible provider names the bucket, the provider's
 * endpoint and its region, as in {@code s3://backups.nyc3.digitaloceanspaces.com/app}.
 *
 * <p>Known hosts: {@code [bucket.]localhost[:port]} (plain HTTP), {@code [bucket.]s3.<region>
 * .backblazeb2.com}, {@code [bucket.]s3.filebase.com}, {@code [bucket.]<region>
 * .digitaloceanspaces.com}, {@code [bucket.]s3.<region>.scw.cloud} and {@code [bucket.]<region>
 * .linodeobjects.com}. Their endpoints are addressed path-style.
 *
 * @param bucket the bucket, or {@code null} when a provider's host names none
 * @param region the provider's region, or {@code null}
 * @param endpoint the provider's endpoint URL, or {@code null} for AWS
 */
public record S3UrlHost(String bucket, String region, String endpoint) {

	private static final List<Provider> PROVIDERS = List.of(
			new Provider("^(?:(.+)\\.)?localhost$", (m) -> "http://localhost", (m) -> "us-east-1"),
			new Provider("^(?:(.+)\\.)?s3\\.([^.]+)\\.backblazeb2\\.com$", (m) -> "https://s3." + m.group(2)
					+ ".backblazeb2.com", (m) -> m.group(2)),
			new Provider("^(?:(.+)\\.)?s3\\.filebase\\.com$", (m) -> "https://s3.filebase.com", (m) -> null),
			new Provider("^(?:(.+)\\.)?([^.]+)\\.digitaloceanspaces\\.com$",
					(m) -> "https://" + m.group(2) + ".digitaloceanspaces.com", (m) -> m.group(2)),
			new Provider("^(?:(.+)\\.)?s3\\.([^.]+)\\.scw\\.cloud$", (m) -> "https://s3." + m.group(2) + ".scw.cloud",
					(m) -> m.group(2)),
			new Provider("^(?:(.+)\\.)?([^.]+)\\.linodeobjects\\.com$",
					(m) -> "https://" + m.group(2) + ".linodeobjects.com", (m) -> m.group(2)));

	/**
	 * Reads a URL's host.
	 * @param host the host, such as {@code backups} or {@code backups.nyc3.digitaloceanspaces.com}
	 * @param port the URL's port, or {@code -1}
	 * @return what the host names
	 * @throws IllegalArgumentException for a port on a host that names no provider, which no
	 * request would use
	 */
	public static S3UrlHost parse(String host, int port) {
		String name = host.toLowerCase(Locale.ROOT);
		for (Provider provider : PROVIDERS) {
			Matcher matcher = provider.pattern.matcher(name);
			if (matcher.matches()) {
				String endpoint = provider.endpoint.apply(matcher) + ((port != -1) ? ":" + port : "");
				return new S3UrlHost(matcher.group(1), provider.region.apply(matcher), endpoint);
			}
		}
		if (port != -1) {
			throw new IllegalArgumentException("the port " + port + " of host '" + host
					+ "' would be ignored: a plain host is an AWS bucket; set the replica's 'endpoint' to the store's "
					+ "URL with its port instead");
		}
		return new S3UrlHost(host, null, null);
	}

	private record Provider(Pattern pattern, Function<Matcher, String> endpoint, Function<Matcher, String> region) {

		Provider(String pattern, Function<Matcher, String> endpoint, Function<Matcher, String> region) {
			this(Pattern.compile(pattern), endpoint, region);
		}

	}

}

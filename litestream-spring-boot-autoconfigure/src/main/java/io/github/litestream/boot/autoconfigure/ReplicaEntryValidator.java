package io.github.litestream.boot.autoconfigure;

import java.beans.PropertyDescriptor;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.replica.ReplicaUrls;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.util.StringUtils;

/**
 * Checks one {@code litestream.dbs[n].replicas[m]} entry for {@link LitestreamPropertiesValidator}:
 * its type (set, from the url's scheme, or inferred from its keys), that every key it sets
 * belongs to that type, its location and its intervals; then lets the type's provider
 * configure its backend.
 */
final class ReplicaEntryValidator {

	/** The keys every replica entry has, whatever its type. */
	private static final List<String> COMMON_KEYS = Arrays
		.stream(BeanUtils.getPropertyDescriptors(LitestreamProperties.Replica.class))
		.map(PropertyDescriptor::getName)
		.filter((name) -> !name.equals("class"))
		.toList();

	private static final List<String> AGE_KEYS = List.of("recipients", "identities", "identity-files");

	private final ReplicaClientFactory providers;

	private final ReplicaEntrySource entries;

	/** Whether the replicas are written (the application), not only read (a tool). */
	private final boolean writes;

	ReplicaEntryValidator(ReplicaClientFactory providers, ReplicaEntrySource entries, boolean writes) {
		this.providers = providers;
		this.entries = entries;
		this.writes = writes;
	}

	/**
	 * Checks one replica entry.
	 * @param prefix its property prefix, such as {@code litestream.dbs[0].replicas[0]}
	 * @param replica the bound entry
	 * @param relativePath for one database of a directory entry, its path relative to the
	 * directory, which the replica's location is extended with; {@code null} otherwise
	 * @return the replica's settings
	 */
	ReplicaSettings replica(String prefix, LitestreamProperties.Replica replica,
			@Nullable String relativePath) {
		List<ConfigurationPropertyName> keys = this.entries.keysUnder(prefix);
		int depth = ConfigurationPropertyName.of(prefix).getNumberOfElements();
		requireKnownAgeKeys(prefix, keys, depth);
		if (StringUtils.hasText(replica.getPath()) && replica.getPath().matches("^[A-Za-z][A-Za-z0-9+.-]*://.*")) {
			// As Litestream: a path that is a URL would otherwise be a local directory named 's3:'.
			throw new LitestreamConfigurationException(prefix + ".path", "the path " + ReplicaUrls.redact(replica.getPath())
					+ " is a URL, not a directory", "Set it as " + prefix + ".url instead of " + prefix + ".path.");
		}
		URI url = null;
		String type = lower(replica.getType());
		if (StringUtils.hasText(replica.getUrl())) {
			if (StringUtils.hasText(replica.getPath())) {
				throw new LitestreamConfigurationException(prefix + ".path",
						"both url and path are set, so the replica's location is ambiguous",
						"Remove either " + prefix + ".url or " + prefix + ".path.");
			}
			url = replicaUrl(prefix + ".url", replica.getUrl());
			if (relativePath != null) {
				url = below(url, relativePath);
			}
			String scheme = url.getScheme().toLowerCase(Locale.ROOT);
			ReplicaClientProvider owner = this.providers.providerOfScheme(scheme);
			String urlType = (owner != null) ? owner.type() : scheme;
			if (type != null && !type.equals(urlType)) {
				throw new LitestreamConfigurationException(prefix + ".type",
						"type '" + type + "' contradicts the url's scheme '" + scheme + "'",
						"Remove " + prefix + ".type; the url's scheme sets it.");
			}
			type = urlType;
		}
		else if (type == null) {
			type = inferredType(keys, depth);
		}
		ReplicaClientProvider provider = this.providers.provider(type);
		if (provider == null) {
			throw unknownType(prefix, type);
		}
		for (ConfigurationPropertyName key : keys) {
			if (!isKnown(key, depth, provider.keys())) {
				throw unknownKey(prefix, key, depth, provider);
			}
		}
		String name = StringUtils.hasText(replica.getName()) ? replica.getName() : type;
		ReplicaOptions options = options(prefix, replica, name);
		String path = StringUtils.hasText(replica.getPath()) ? replica.getPath() : null;
		if (relativePath != null && url == null) {
			path = (path != null) ? path.replaceFirst("/+$", "") + "/" + relativePath : relativePath;
		}
		Object backend = provider.configure(new ReplicaEntry(prefix, type, url, path, this.entries.binder()));
		return new ReplicaSettings(prefix, type, options, backend, AgeSettings.of(prefix + ".age", replica.getAge(),
				this.writes));
	}

	/**
	 * The type of an entry with neither {@code type} nor {@code url}: the one type that owns
	 * every key it sets besides the common ones, and a directory otherwise. Keys such as
	 * {@code bucket} belong to several types (s3, abs); an entry whose keys fit s3 among others
	 * stays s3, as it was before other backends shared them.
	 */
	private String inferredType(List<ConfigurationPropertyName> keys, int depth) {
		List<ConfigurationPropertyName> own = keys.stream()
			.filter((key) -> COMMON_KEYS.stream().noneMatch((common) -> ReplicaEntrySource.isKey(key, depth, common)))
			.toList();
		List<String> fitting = this.providers.providers()
			.stream()
			.filter((provider) -> !own.isEmpty() && own.stream().allMatch((key) -> isOwnKey(key, depth, provider.keys())))
			.map(ReplicaClientProvider::type)
			.distinct()
			.toList();
		if (fitting.size() == 1) {
			return fitting.get(0);
		}
		if (fitting.contains("s3")) {
			return "s3";
		}
		List<String> types = this.providers.providers()
			.stream()
			.filter((provider) -> keys.stream().anyMatch((key) -> isOwnKey(key, depth, provider.keys())))
			.map(ReplicaClientProvider::type)
			.distinct()
			.toList();
		return (types.size() == 1) ? types.get(0) : "file";
	}

	/**
	 * The common key {@code age} takes any name below it, and Spring ignores the unknown ones:
	 * a misspelt {@code age.recipient} would turn encryption off without a word.
	 */
	private static void requireKnownAgeKeys(String prefix, List<ConfigurationPropertyName> keys, int depth) {
		for (ConfigurationPropertyName key : keys) {
			if (key.getNumberOfElements() > depth + 1 && ReplicaEntrySource.isKey(key, depth, "age")
					&& key.getElement(depth, ConfigurationPropertyName.Form.UNIFORM).equals("age")
					&& AGE_KEYS.stream().noneMatch((age) -> ReplicaEntrySource.isKey(key, depth + 1, age))) {
				throw new LitestreamConfigurationException(key.toString(), key + " is not a key of age encryption",
						"Use " + prefix + ".age.recipients, " + prefix + ".age.identities or " + prefix
								+ ".age.identity-files; without recipients the replica is not encrypted.");
			}
		}
	}

	private static boolean isKnown(ConfigurationPropertyName key, int depth, Set<String> ownKeys) {
		return COMMON_KEYS.stream().anyMatch((common) -> ReplicaEntrySource.isKey(key, depth, common))
				|| isOwnKey(key, depth, ownKeys);
	}

	private static boolean isOwnKey(ConfigurationPropertyName key, int depth, Set<String> ownKeys) {
		return ownKeys.stream().anyMatch((own) -> ReplicaEntrySource.isKey(key, depth, own));
	}

	private LitestreamConfigurationException unknownKey(String prefix, ConfigurationPropertyName key, int depth,
			ReplicaClientProvider provider) {
		List<String> owners = this.providers.providers()
			.stream()
			.filter((other) -> isOwnKey(key, depth, other.keys()))
			.map(ReplicaClientProvider::type)
			.sorted()
			.toList();
		String problem = key + " is not a key of replicas of type '" + provider.type() + "'";
		if (!owners.isEmpty()) {
			return new LitestreamConfigurationException(key.toString(), problem,
					"Remove it, or set " + prefix + ".type to " + String.join(" or ", owners) + ".");
		}
		List<String> known = new ArrayList<>(COMMON_KEYS.stream().map(ReplicaEntryValidator::kebab).toList());
		known.addAll(provider.keys().stream().sorted().toList());
		String keysOfType = "replicas of type '" + provider.type() + "' have the keys " + String.join(", ", known) + ".";
		return new LitestreamConfigurationException(key.toString(), problem,
				KeyNames.closest(KeyNames.uniform(key, depth), known)
					.map((closest) -> "Did you mean " + prefix + "." + closest + "? Correct it, or remove it; " + keysOfType)
					.orElse("Remove it; " + keysOfType));
	}

	private static String kebab(String camelCase) {
		return camelCase.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
	}

	private LitestreamConfigurationException unknownType(String prefix, String type) {
		if (type.equals("s3")) {
			// the one backend the starter knows of but can't offer without its dependency
			return new LitestreamConfigurationException(prefix + ".type",
					"an s3 replica needs the AWS SDK for Java v2, which is not on the classpath",
					"Add software.amazon.awssdk:s3 to the application's dependencies.");
		}
		if (type.equals("sftp")) {
			return new LitestreamConfigurationException(prefix + ".type",
					"an sftp replica needs litestream-replica-sftp, which is not on the classpath",
					"Add io.github.litestream:litestream-replica-sftp to the application's dependencies.");
		}
		return new LitestreamConfigurationException(prefix + ".type", "unknown replica type '" + type + "'",
				"Set " + prefix + ".type to one of "
						+ String.join(", ", this.providers.types().stream().sorted().toList()) + ".");
	}

	private static ReplicaOptions options(String prefix, LitestreamProperties.Replica replica, String name) {
		LitestreamPropertiesValidator.positive(replica.getSyncInterval(), prefix + ".sync-interval");
		LitestreamPropertiesValidator.notNegative(replica.getSnapshotInterval(), prefix + ".snapshot-interval");
		LitestreamPropertiesValidator.notNegative(replica.getRetention(), prefix + ".retention");
		LitestreamPropertiesValidator.positive(replica.getRetentionCheckInterval(), prefix + ".retention-check-interval");
		LitestreamPropertiesValidator.notNegative(replica.getValidationInterval(), prefix + ".validation-interval");
		Duration retention = replica.getRetention();
		Duration snapshotInterval = replica.getSnapshotInterval();
		if (!retention.isZero() && !snapshotInterval.isZero() && retention.compareTo(snapshotInterval) < 0) {
			throw new LitestreamConfigurationException(prefix + ".retention",
					"retention (" + retention + ") is shorter than snapshot-interval (" + snapshotInterval
							+ "), so the only snapshot a restore needs could be deleted",
					"Set " + prefix + ".retention to at least " + prefix + ".snapshot-interval, or "
							+ prefix + ".snapshot-interval to at most the retention (it is 1h unless set; "
							+ "0s turns periodic snapshots off, which is Litestream v0.3's default).");
		}
		return new ReplicaOptions(name, replica.getSyncInterval(), snapshotInterval, retention,
				replica.getRetentionCheckInterval(), replica.getValidationInterval());
	}

	/**
	 * A url's path with a relative path appended, as Litestream v0.5 does for directory entries.
	 * Built as text: URI's multi-argument constructors quote every {@code %}, which would turn
	 * an escaped password or path ({@code p%40ss}) into another one ({@code p%2540ss}).
	 */
	private static URI below(URI url, String relativePath) {
		String base = (url.getRawPath() != null) ? url.getRawPath().replaceFirst("/+$", "") : "";
		String authority = (url.getRawAuthority() != null) ? url.getRawAuthority() : "";
		String query = (url.getRawQuery() != null) ? "?" + url.getRawQuery() : "";
		try {
			return new URI(url.getScheme() + "://" + authority + base + "/" + escapedPath(relativePath) + query);
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException("Cannot append " + relativePath + " to " + Secrets.redactUrl(url.toString()), ex);
		}
	}

	/** A file's relative path as a URL path: every byte but a path's own characters escaped. */
	private static String escapedPath(String path) {
		StringBuilder escaped = new StringBuilder();
		for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
			char c = (char) (b & 0xff);
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
					|| "/-._~!$&'()*+,;=:@".indexOf(c) >= 0) {
				escaped.append(c);
			}
			else {
				escaped.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
					.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
			}
		}
		return escaped.toString();
	}

	private static URI replicaUrl(String property, String url) {
		try {
			URI uri = new URI(url);
			if (uri.getScheme() == null) {
				throw new LitestreamConfigurationException(property, "'" + Secrets.redactUrl(url) + "' has no scheme",
						"Write the url as s3://bucket/path or file:///directory.");
			}
			return uri;
		}
		catch (URISyntaxException ex) {
			// Not the exception as cause: its message repeats the input, password included.
			throw new LitestreamConfigurationException(property, "'" + Secrets.redactUrl(url) + "' is not a valid URL ("
					+ ex.getReason() + " at index " + ex.getIndex() + ")",
					"Write the url as s3://bucket/path or file:///directory; percent-encode special characters "
							+ "of a password (% as %25, / as %2F, @ as %40).");
		}
	}

	private static @Nullable String lower(@Nullable String value) {
		return StringUtils.hasText(value) ? value.trim().toLowerCase(Locale.ROOT) : null;
	}

}

package io.github.litestream.replica.s3;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Signs the GETs of {@link S3DirectReader} with AWS Signature Version 4, as the SDK signs S3
 * requests: the path as sent (S3 keys are encoded once and never normalised), the query sorted,
 * the headers {@code host}, {@code x-amz-content-sha256} ({@code UNSIGNED-PAYLOAD}: a GET has no
 * body), {@code x-amz-date} and, for temporary credentials, {@code x-amz-security-token}.
 *
 * <p>Why not the SDK's signer: in a fresh JVM its first signature costs about 200 ms of CPU
 * (its classes, checksums and identity plumbing) and every later one about 0.2 ms while the JIT
 * catches up, for each of the thousands of GETs of a restore; this class needs the JDK's
 * SHA-256 and HMAC only, and derives the signing key once a day. A signature the store refuses
 * sends the request to the SDK (see {@link S3DirectReader}), so a difference costs one request;
 * the tests compare both signers' headers.
 */
final class S3GetSigner {

	private static final String ALGORITHM = "AWS4-HMAC-SHA256";

	private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

	private static final HexFormat HEX = HexFormat.of();

	private final String region;

	private final Clock clock;

	/** The last signing key and what it was derived from; replaced as a whole. */
	private volatile SigningKey signingKey;

	S3GetSigner(String region, Clock clock) {
		this.region = region;
		this.clock = clock;
	}

	/**
	 * Signs a GET.
	 * @param url the URL as it is sent: its path encoded, its query sorted and encoded by
	 * {@link #query(SortedMap)}
	 * @param identity the credentials
	 * @return the headers to send besides {@code Host}, which the HTTP client sets from the URL
	 */
	Map<String, String> sign(URI url, AwsCredentialsIdentity identity) {
		ZonedDateTime now = ZonedDateTime.now(this.clock.withZone(ZoneOffset.UTC));
		String date = digits(now.getYear(), 4) + digits(now.getMonthValue(), 2) + digits(now.getDayOfMonth(), 2);
		String time = date + "T" + digits(now.getHour(), 2) + digits(now.getMinute(), 2) + digits(now.getSecond(), 2)
				+ "Z";
		String token = (identity instanceof AwsSessionCredentialsIdentity session) ? session.sessionToken() : null;
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("host", host(url));
		headers.put("x-amz-content-sha256", UNSIGNED_PAYLOAD);
		headers.put("x-amz-date", time);
		if (token != null) {
			headers.put("x-amz-security-token", token);
		}
		String signedHeaders = String.join(";", headers.keySet());
		String canonicalHeaders = headers.entrySet()
			.stream()
			.map((header) -> header.getKey() + ":" + header.getValue() + "\n")
			.collect(Collectors.joining());
		String canonicalRequest = "GET\n" + url.getRawPath() + "\n"
				+ ((url.getRawQuery() != null) ? url.getRawQuery() : "") + "\n" + canonicalHeaders + "\n"
				+ signedHeaders + "\n" + UNSIGNED_PAYLOAD;
		String scope = date + "/" + this.region + "/s3/aws4_request";
		String stringToSign = ALGORITHM + "\n" + time + "\n" + scope + "\n" + HEX.formatHex(sha256(canonicalRequest));
		String signature = HEX.formatHex(hmac(key(identity.secretAccessKey(), date), stringToSign));
		headers.remove("host");
		headers.put("Authorization", ALGORITHM + " Credential=" + identity.accessKeyId() + "/" + scope
				+ ", SignedHeaders=" + signedHeaders + ", Signature=" + signature);
		return headers;
	}

	/**
	 * A query string in SigV4's canonical form, which is also a valid one to send: names and
	 * values encoded as RFC 3986 says (space as {@code %20}, {@code /} as {@code %2F}), sorted.
	 * @param parameters the parameters, sorted by name (none of ours needs encoding)
	 * @return the query, without the {@code ?}
	 */
	static String query(SortedMap<String, String> parameters) {
		return parameters.entrySet()
			.stream()
			.map((p) -> SdkHttpUtils.urlEncode(p.getKey()) + "=" + SdkHttpUtils.urlEncode(p.getValue()))
			.collect(Collectors.joining("&"));
	}

	/** A number with leading zeros (a formatter costs a fresh JVM more than this whole class). */
	private static String digits(int value, int width) {
		String digits = Integer.toString(value);
		return "0".repeat(Math.max(0, width - digits.length())) + digits;
	}

	/** The Host header the JDK's HTTP client sends for a URL: the port only if not the scheme's. */
	private static String host(URI url) {
		int port = url.getPort();
		boolean defaultPort = port == -1 || (port == 80 && "http".equals(url.getScheme()))
				|| (port == 443 && "https".equals(url.getScheme()));
		return defaultPort ? url.getHost() : url.getHost() + ":" + port;
	}

	private byte[] key(String secret, String date) {
		SigningKey current = this.signingKey;
		if (current == null || !current.date().equals(date) || !current.secret().equals(secret)) {
			byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
			key = hmac(key, this.region);
			key = hmac(key, "s3");
			current = new SigningKey(secret, date, hmac(key, "aws4_request"));
			this.signingKey = current;
		}
		return current.key();
	}

	private static byte[] hmac(byte[] key, String data) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is not available", ex);
		}
	}

	private static byte[] sha256(String data) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(data.getBytes(StandardCharsets.UTF_8));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
	}

	/**
	 * A derived key: valid for one secret and one UTC day. Not a record, so that no
	 * {@code toString} ever prints the secret.
	 */
	private static final class SigningKey {

		private final String secret;

		private final String date;

		private final byte[] key;

		SigningKey(String secret, String date, byte[] key) {
			this.secret = secret;
			this.date = date;
			this.key = key;
		}

		String secret() {
			return this.secret;
		}

		String date() {
			return this.date;
		}

		byte[] key() {
			return this.key;
		}

	}

}

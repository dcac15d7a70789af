package io.github.litestream.replica.s3;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link S3GetSigner} against the SDK's own SigV4 signer configured as the SDK signs S3 GETs:
 * the same headers, to the character, for object keys and listing queries that need encoding,
 * on default and other ports, with basic and temporary credentials, and a day later.
 * ({@code S3DirectReaderTests} and {@code S3DirectListingTests} show that S3Proxy accepts them.)
 */
class S3GetSignerTests {

	private static final Instant NOW = Instant.parse("2026-11-30T23:59:58Z");

	private static final AwsCredentialsIdentity BASIC = AwsBasicCredentials.create("AKIDEXAMPLE",
			"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

	private static final AwsCredentialsIdentity SESSION = AwsSessionCredentials.create("ASIAEXAMPLE",
			"secret/with+chars", "token/with+chars=");

	@Test
	void signsObjectGetsAsTheSdkDoes() {
		String key = SdkHttpUtils
			.urlEncodeIgnoreSlashes("team a+b/ü&=%~'(x)/generations/0123/wal/00000000_00000000.wal.lz4");
		for (String url : List.of("http://127.0.0.1:9000/bucket/" + key,
				"https://bucket.s3.eu-west-1.amazonaws.com/" + key, "https://s3.amazonaws.com:443/bucket/" + key,
				"http://minio:80/bucket/x")) {
			for (AwsCredentialsIdentity identity : List.of(BASIC, SESSION)) {
				assertSameAsTheSdk(URI.create(url), identity, NOW);
			}
		}
	}

	@Test
	void signsListingsAsTheSdkDoes() {
		TreeMap<String, String> query = new TreeMap<>(Map.of("list-type", "2", "prefix", "team a+b/ü&=%~'(x)/",
				"delimiter", "/", "encoding-type", "url", "continuation-token",
				"1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="));
		URI url = URI.create("http://127.0.0.1:9000/bucket?" + S3GetSigner.query(query));
		assertSameAsTheSdk(url, BASIC, NOW);
		assertSameAsTheSdk(url, SESSION, NOW.plusSeconds(2));
	}

	@Test
	void theSigningKeyFollowsTheDayAndTheSecret() {
		S3GetSigner signer = new S3GetSigner("us-east-1", Clock.fixed(NOW, ZoneOffset.UTC));
		URI url = URI.create("http://127.0.0.1:9000/bucket/key");
		String today = signer.sign(url, BASIC).get("Authorization");
		assertThat(signer.sign(url, SESSION).get("Authorization")).isNotEqualTo(today);
		assertThat(signer.sign(url, BASIC).get("Authorization")).isEqualTo(today);
		// The same signer a day later derives the key again (the SDK's would not sign otherwise).
		assertSameAsTheSdk(url, BASIC, NOW.plusSeconds(86_400));
	}

	private static void assertSameAsTheSdk(URI url, AwsCredentialsIdentity identity, Instant at) {
		Clock clock = Clock.fixed(at, ZoneOffset.UTC);
		Map<String, String> ours = new S3GetSigner("eu-west-1", clock).sign(url, identity);
		SdkHttpRequest sdk = sdkSigned(url, identity, clock);
		assertThat(ours).as(url.toString()).hasSize((identity == SESSION) ? 4 : 3);
		ours.forEach((name, value) -> assertThat(sdk.firstMatchingHeader(name)).as(name + " of " + url)
			.hasValue(value));
	}

	/** The SDK's signature, with what it sets for S3 GETs. */
	private static SdkHttpRequest sdkSigned(URI url, AwsCredentialsIdentity identity, Clock clock) {
		SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder()
			.method(SdkHttpMethod.GET)
			.protocol(url.getScheme())
			.host(url.getHost())
			.port(url.getPort())
			.encodedPath(url.getRawPath());
		if (url.getRawQuery() != null) {
			for (String parameter : url.getRawQuery().split("&")) {
				String[] pair = parameter.split("=", 2);
				request.putRawQueryParameter(SdkHttpUtils.urlDecode(pair[0]), SdkHttpUtils.urlDecode(pair[1]));
			}
		}
		SdkHttpFullRequest unsigned = request.build();
		return AwsV4HttpSigner.create()
			.sign((signing) -> signing.identity(identity)
				.request(unsigned)
				.putProperty(HttpSigner.SIGNING_CLOCK, clock)
				.putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
				.putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1")
				.putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
				.putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
				.putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false))
			.request();
	}

}

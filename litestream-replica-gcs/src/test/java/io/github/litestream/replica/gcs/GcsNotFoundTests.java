package io.github.litestream.replica.gcs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import io.github.litestream.replica.Pos;
import io.github.litestream.replica.ReplicaLayout;
import io.github.litestream.replica.ReplicaObjectNotFoundException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * GCS answers HTTP 404 ({@code notFound}) both for a bucket that does not exist and for an
 * object that does not: {@link GcsReplicaClient} tells the two apart, failing with
 * {@link GcsReplicaException.Reason#NO_SUCH_BUCKET} naming the bucket and the keys to fix for the
 * first, and with {@link ReplicaObjectNotFoundException} (what every replica client throws for a
 * missing object) for the second, also when the object is deleted after its metadata was read.
 *
 * <p>No GCS server or emulator can run here (see the backend's documentation), so the other end
 * is a loopback HTTP endpoint, used through the real client library, that keeps objects in
 * memory and answers metadata reads, listings, ranged media downloads and uploads with the
 * statuses and error messages the JSON API documents ("The specified bucket does not exist.",
 * "No such object: …"). Whether GCS itself answers exactly so is not tested here.
 */
class GcsNotFoundTests {

	private static final Pos SEGMENT = new Pos("0123456789abcdef", 1, 0);

	private static final String NAME = "app/" + ReplicaLayout.walSegmentKey(SEGMENT);

	private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

	private final Map<String, byte[]> objects = new ConcurrentHashMap<>();

	private final List<String> requests = new CopyOnWriteArrayList<>();

	private volatile boolean bucketExists = true;

	/** Deleted by the endpoint right after it answers that many media reads of it. */
	private volatile int deleteAfterRanges = -1;

	/** Whether the endpoint cuts its first media answer short (a connection that broke). */
	private volatile boolean breakFirstMedia;

	private LoopbackGcs gcs;

	private GcsReplicaClient client;

	@BeforeEach
	void start() throws IOException {
		this.gcs = new LoopbackGcs(this::answer, 2);
		this.client = this.gcs.client();
	}

	@AfterEach
	void stop() throws Exception {
		this.gcs.close();
	}

	@Test
	void aMissingBucketIsReportedAsTheBucketNamingWhatToFix() {
		this.bucketExists = false;

		for (ThrowingCall call : List.<ThrowingCall>of(() -> this.client.openWalSegment(SEGMENT),
				this.client::generations, () -> this.client.writeWalSegment(SEGMENT, new ByteArrayInputStream(new byte[10])))) {
			assertThatExceptionOfType(GcsReplicaException.class).isThrownBy(call::run)
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(GcsReplicaException.Reason.NO_SUCH_BUCKET))
				.withMessageContaining("gcs://backups/app")
				.withMessageContaining("bucket 'backups' does not exist")
				.withMessageContaining("fix the replica's 'bucket' or 'url'");
		}
	}

	@Test
	void aMissingObjectInAnExistingBucketIsNotFound() {
		assertThatExceptionOfType(ReplicaObjectNotFoundException.class)
			.isThrownBy(() -> this.client.openWalSegment(SEGMENT))
			.withMessage("No object '" + NAME + "' in bucket 'backups' of GCS replica gcs://backups/app");
	}

	@Test
	void anObjectDeletedAfterItsMetadataWasReadIsNotFoundWhenOpened() {
		this.objects.put(NAME, bytes(1000));
		this.deleteAfterRanges = 0;

		assertThatExceptionOfType(ReplicaObjectNotFoundException.class)
			.isThrownBy(() -> this.client.openWalSegment(SEGMENT))
			.withMessage("No object '" + NAME + "' in bucket 'backups' of GCS replica gcs://backups/app");
		assertThat(this.requests).hasSize(2);
		assertThat(this.requests.get(1)).startsWith("GET /download/").contains("generation=1");
	}

	@Test
	void anObjectDeletedWhileItIsReadIsNotFound() throws IOException {
		// The download breaks part way; the object is deleted before the client asks for the rest.
		this.objects.put(NAME, bytes(1024 * 1024));
		this.breakFirstMedia = true;
		this.deleteAfterRanges = 1;

		try (InputStream in = this.client.openWalSegment(SEGMENT)) {
			assertThatExceptionOfType(ReplicaObjectNotFoundException.class).isThrownBy(in::readAllBytes)
				.withMessageContaining("No object '" + NAME + "'");
		}
		assertThat(this.requests).filteredOn((request) -> request.startsWith("GET /download/")).hasSize(2);
	}

	@Test
	void anObjectThatStaysReadsWhole() throws IOException {
		byte[] content = bytes(5 * 1024 * 1024);
		this.objects.put(NAME, content);

		try (InputStream in = this.client.openWalSegment(SEGMENT)) {
			assertThat(in.readAllBytes()).isEqualTo(content);
		}
	}

	private void answer(HttpExchange exchange) throws IOException {
		String path = exchange.getRequestURI().getRawPath();
		String query = String.valueOf(exchange.getRequestURI().getRawQuery());
		this.requests.add(exchange.getRequestMethod() + " " + path + "?" + query);
		exchange.getRequestBody().readAllBytes();
		if (!this.bucketExists) {
			error(exchange, "The specified bucket does not exist.");
			return;
		}
		if (path.equals("/storage/v1/b/backups/o")) {
			respond(exchange, 200, "application/json", utf8("{\"kind\":\"storage#objects\"}"));
			return;
		}
		String name = URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1), StandardCharsets.UTF_8);
		byte[] content = this.objects.get(name);
		if (content == null) {
			error(exchange, "No such object: backups/" + name);
		}
		else if (path.startsWith("/download/")) {
			media(exchange, name, content);
		}
		else {
			respond(exchange, 200, "application/json", utf8("{\"kind\":\"storage#object\",\"bucket\":\"backups\",\"name\":\""
					+ name + "\",\"generation\":\"1\",\"metageneration\":\"1\",\"size\":\"" + content.length + "\"}"));
			if (this.deleteAfterRanges == 0) {
				this.objects.remove(name);
			}
		}
	}

	private void media(HttpExchange exchange, String name, byte[] content) throws IOException {
		String range = exchange.getRequestHeaders().getFirst("Range");
		Matcher matcher = (range != null) ? RANGE.matcher(range) : null;
		if (this.breakFirstMedia && range == null) {
			exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
			exchange.sendResponseHeaders(200, content.length);
			exchange.getResponseBody().write(content, 0, content.length / 2);
			exchange.getResponseBody().flush();
			// Ends the exchange without the rest: the client sees the connection end early.
			exchange.close();
		}
		else if (matcher == null || !matcher.matches()) {
			respond(exchange, 200, "application/octet-stream", content);
		}
		else {
			int from = Integer.parseInt(matcher.group(1));
			int to = matcher.group(2).isEmpty() ? content.length - 1
					: Math.min(Integer.parseInt(matcher.group(2)), content.length - 1);
			exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + content.length);
			respond(exchange, 206, "application/octet-stream", Arrays.copyOfRange(content, from, to + 1));
		}
		long ranges = this.requests.stream().filter((request) -> request.startsWith("GET /download/")).count();
		if (ranges == this.deleteAfterRanges) {
			this.objects.remove(name);
		}
	}

	/** A 404 as the JSON API answers it: metadata and listings in JSON, media reads in plain text. */
	private static void error(HttpExchange exchange, String message) throws IOException {
		if (exchange.getRequestURI().getRawPath().startsWith("/download/")) {
			respond(exchange, 404, "text/plain", utf8(message));
			return;
		}
		respond(exchange, 404, "application/json", utf8("{\"error\":{\"code\":404,\"message\":\"" + message
				+ "\",\"errors\":[{\"message\":\"" + message + "\",\"domain\":\"global\",\"reason\":\"notFound\"}]}}"));
	}

	private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
		exchange.getResponseHeaders().set("Content-Type", type);
		exchange.sendResponseHeaders(status, body.length);
		exchange.getResponseBody().write(body);
		exchange.close();
	}

	private static byte[] bytes(int size) {
		byte[] bytes = new byte[size];
		new Random(size).nextBytes(bytes);
		return bytes;
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	@FunctionalInterface
	private interface ThrowingCall {

		void run() throws IOException;

	}

}

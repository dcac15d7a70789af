package io.github.litestream.replica.gcs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import io.github.litestream.replica.ReplicaLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * An object larger than one chunk goes up in a resumable upload: one request opens a session,
 * then each chunk is a PUT to the session. GCS answers HTTP 404 on such a PUT when the session
 * expired or was cancelled, and also when the bucket is gone. {@link GcsReplicaClient} tells the
 * two apart with one listing of the bucket: a lost session fails the write with
 * {@link GcsReplicaException.Reason.UPLOAD_SESSION_LOST}, nothing visible is written, and the
 * next attempt (the next sync, or snapshot) uploads the whole object in a new session; only a
 * bucket the listing does not find is {@link GcsReplicaException.Reason#NO_SUCH_BUCKET}.
 *
 * <p>The other end is a loopback HTTP endpoint, used through the real client library (see
 * {@link GcsNotFoundTests}), that runs resumable uploads the way the JSON API documents them:
 * a session URL in {@code Location}, 308 with {@code Range} for each chunk but the last, the
 * object visible once the last one arrived.
 */
class GcsUploadSessionTests {

	private static final int CHUNK = 256 * 1024;

	private static final String GENERATION = "0123456789abcdef";

	private static final String NAME = "app/" + ReplicaLayout.snapshotKey(GENERATION, 1);

	private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (?:(\\d+)-(\\d+)|\\*)/(\\d+|\\*)");

	private static final Pattern METADATA_NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]+)\"");

	private final Map<String, byte[]> objects = new ConcurrentHashMap<>();

	/** Upload id to the object's name and the bytes received. */
	private final Map<String, Session> sessions = new ConcurrentHashMap<>();

	private final AtomicInteger sessionIds = new AtomicInteger();

	private final List<String> requests = new CopyOnWriteArrayList<>();

	private volatile boolean bucketExists = true;

	/** Whether the endpoint forgets every session before its first chunk arrives (an expired one). */
	private volatile boolean loseSessions;

	/** Whether the bucket is deleted once a session was opened. */
	private volatile boolean deleteBucketDuringUpload;

	private LoopbackGcs gcs;

	private GcsReplicaClient client;

	@BeforeEach
	void start() throws IOException {
		this.gcs = new LoopbackGcs(this::answer, 2, CHUNK);
		this.client = this.gcs.client();
	}

	@AfterEach
	void stop() throws Exception {
		this.gcs.close();
	}

	@Test
	void aLostUploadSessionFailsTheWriteAsSuchAndTheNextAttemptWritesTheWholeObject() throws IOException {
		byte[] content = bytes(2 * CHUNK + 1000);
		this.loseSessions = true;

		assertThatExceptionOfType(GcsReplicaException.class)
			.isThrownBy(() -> this.client.writeSnapshot(GENERATION, 1, new ByteArrayInputStream(content)))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(GcsReplicaException.Reason.UPLOAD_SESSION_LOST))
			.withMessageContaining("gcs://backups/app")
			.withMessageContaining("object '" + NAME + "'")
			.withMessageContaining("upload session expired or was cancelled")
			.withMessageContaining("nothing was written")
			.withMessageContaining("[HTTP 404]")
			.withMessageNotContaining("does not exist");
		assertThat(this.objects).as("nothing visible").isEmpty();
		assertThat(this.requests).as("the bucket, listed once").filteredOn((request) -> request.startsWith("GET "))
			.singleElement()
			.asString()
			.startsWith("GET /storage/v1/b/backups/o?");

		this.loseSessions = false;
		assertThat(this.client.writeSnapshot(GENERATION, 1, new ByteArrayInputStream(content)).size())
			.isEqualTo(content.length);
		assertThat(this.objects).containsOnlyKeys(NAME);
		assertThat(this.objects.get(NAME)).isEqualTo(content);
	}

	@Test
	void aBucketDeletedDuringAnUploadIsReportedAsTheBucket() {
		this.deleteBucketDuringUpload = true;

		assertThatExceptionOfType(GcsReplicaException.class)
			.isThrownBy(() -> this.client.writeSnapshot(GENERATION, 1, new ByteArrayInputStream(bytes(2 * CHUNK))))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(GcsReplicaException.Reason.NO_SUCH_BUCKET))
			.withMessageContaining("gcs://backups/app")
			.withMessageContaining("bucket 'backups' does not exist")
			.withMessageContaining("fix the replica's 'bucket' or 'url'");
		assertThat(this.requests).as("a chunk answered 404, then the listing").anyMatch((r) -> r.startsWith("PUT "))
			.last()
			.asString()
			.startsWith("GET /storage/v1/b/backups/o?");
		assertThat(this.objects).isEmpty();
	}

	private void answer(HttpExchange exchange) throws IOException {
		String method = exchange.getRequestMethod();
		String path = exchange.getRequestURI().getRawPath();
		String query = String.valueOf(exchange.getRequestURI().getRawQuery());
		this.requests.add(method + " " + path + "?" + query);
		byte[] body = exchange.getRequestBody().readAllBytes();
		Matcher uploadId = Pattern.compile("upload_id=(\\d+)").matcher(query);
		if (method.equals("PUT") && uploadId.find()) {
			Session session = this.loseSessions ? null : this.sessions.get(uploadId.group(1));
			if (session == null || !this.bucketExists) {
				// What the JSON API answers for a session it does not know (any more).
				respond(exchange, 404, "text/plain", utf8("Not Found"));
				return;
			}
			chunk(exchange, uploadId.group(1), session, body);
		}
		else if (!this.bucketExists) {
			error(exchange, "The specified bucket does not exist.");
		}
		else if (method.equals("POST") && path.equals("/upload/storage/v1/b/backups/o")) {
			Matcher name = METADATA_NAME.matcher(new String(body, StandardCharsets.UTF_8));
			String id = String.valueOf(this.sessionIds.incrementAndGet());
			this.sessions.put(id, new Session(name.find() ? name.group(1) : "?", new ByteArrayOutputStream()));
			exchange.getResponseHeaders()
				.set("Location", this.gcs.url() + "/upload/storage/v1/b/backups/o?uploadType=resumable&upload_id=" + id);
			respond(exchange, 200, "application/json", new byte[0]);
			if (this.deleteBucketDuringUpload) {
				this.bucketExists = false;
			}
		}
		else if (method.equals("GET") && path.equals("/storage/v1/b/backups/o")) {
			respond(exchange, 200, "application/json", utf8("{\"kind\":\"storage#objects\"}"));
		}
		else {
			error(exchange, "No such object: backups/" + path.substring(path.lastIndexOf('/') + 1));
		}
	}

	/** One chunk: 308 and the range received so far, or, after the last one, the object. */
	private void chunk(HttpExchange exchange, String id, Session session, byte[] body) throws IOException {
		Matcher range = CONTENT_RANGE.matcher(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Range")));
		if (!range.matches()) {
			respond(exchange, 400, "text/plain", utf8("Bad Content-Range"));
			return;
		}
		if (range.group(1) != null && Long.parseLong(range.group(1)) == session.received().size()) {
			session.received().write(body);
		}
		int received = session.received().size();
		if (!range.group(3).equals("*") && Long.parseLong(range.group(3)) == received) {
			this.sessions.remove(id);
			this.objects.put(session.name(), session.received().toByteArray());
			respond(exchange, 200, "application/json", utf8("{\"kind\":\"storage#object\",\"bucket\":\"backups\",\"name\":\""
					+ session.name() + "\",\"generation\":\"1\",\"metageneration\":\"1\",\"size\":\"" + received + "\"}"));
			return;
		}
		if (received > 0) {
			exchange.getResponseHeaders().set("Range", "bytes=0-" + (received - 1));
		}
		exchange.sendResponseHeaders(308, -1);
		exchange.close();
	}

	private static void error(HttpExchange exchange, String message) throws IOException {
		respond(exchange, 404, "application/json", utf8("{\"error\":{\"code\":404,\"message\":\"" + message
				+ "\",\"errors\":[{\"message\":\"" + message + "\",\"domain\":\"global\",\"reason\":\"notFound\"}]}}"));
	}

	private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
		exchange.getResponseHeaders().set("Content-Type", type);
		exchange.sendResponseHeaders(status, (body.length > 0) ? body.length : -1);
		if (body.length > 0) {
			exchange.getResponseBody().write(body);
		}
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

	private record Session(String name, ByteArrayOutputStream received) {
	}

}

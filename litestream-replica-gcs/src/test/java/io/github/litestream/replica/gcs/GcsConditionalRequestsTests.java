package io.github.litestream.replica.gcs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import io.github.litestream.replica.ConditionalObjects;
import io.github.litestream.replica.ConditionalObjects.VersionedObject;
import io.github.litestream.replica.ConditionalWriteConflictException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * What {@link GcsConditionalObjects} asks of Google Cloud Storage and how it reads the answers,
 * through the real client library: the precondition each write carries
 * ({@code ifGenerationMatch}), the generation a read pins its bytes to, and a 412 taken as a
 * conflict while other failures keep their meaning.
 *
 * <p>No GCS server or emulator can run here, so the other end is a loopback HTTP endpoint
 * (named by {@code STORAGE_EMULATOR_HOST}) that records each request and gives the answer the
 * test chose. It does not evaluate preconditions: whether GCS honours them (it documents that
 * it does) is not tested, which is why the backend is a preview.
 */
class GcsConditionalRequestsTests {

	private final List<String> requests = new CopyOnWriteArrayList<>();

	private volatile Answer answer = (exchange) -> respond(exchange, 500, "{}");

	private LoopbackGcs gcs;

	private ConditionalObjects objects;

	@BeforeEach
	void start() throws IOException {
		this.gcs = new LoopbackGcs((exchange) -> {
			this.requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
			exchange.getRequestBody().readAllBytes();
			this.answer.handle(exchange);
		}, 1);
		this.objects = this.gcs.client().conditionalObjects().orElseThrow();
	}

	@AfterEach
	void stop() throws Exception {
		this.gcs.close();
	}

	@Test
	void createAsksForNoExistingObjectAndTakes412AsAConflict() {
		this.answer = (exchange) -> respond(exchange, 412, error(412, "conditionNotMet", "Precondition Failed"));

		assertThatExceptionOfType(ConditionalWriteConflictException.class)
			.isThrownBy(() -> this.objects.create("lease.json", bytes("one")))
			.withMessageContaining("object 'app/lease.json'")
			.withMessageContaining("gcs://backups/app")
			.withMessageContaining("already exists");
		assertThat(this.requests).singleElement()
			.satisfies((request) -> assertThat(request).startsWith("POST /upload/storage/v1/b/backups/o")
				.contains("ifGenerationMatch=0"));
	}

	@Test
	void replaceAsksForTheGenerationReadAndReturnsTheNewOne() throws IOException {
		this.answer = (exchange) -> respond(exchange, 200, object("1700000000000002", 3));

		assertThat(this.objects.replace("lease.json", bytes("two"), "1700000000000001")).isEqualTo("1700000000000002");
		assertThat(this.requests).singleElement()
			.satisfies((request) -> assertThat(request).contains("ifGenerationMatch=1700000000000001"));
	}

	@Test
	void replaceTakes412AsAConflict() {
		this.answer = (exchange) -> respond(exchange, 412, error(412, "conditionNotMet", "Precondition Failed"));

		assertThatExceptionOfType(ConditionalWriteConflictException.class)
			.isThrownBy(() -> this.objects.replace("lease.json", bytes("two"), "41"))
			.withMessageContaining("no longer 41");
	}

	@Test
	void otherFailuresAreNotConflicts() {
		this.answer = (exchange) -> respond(exchange, 403, error(403, "forbidden", "Access denied"));

		assertThatExceptionOfType(GcsReplicaException.class)
			.isThrownBy(() -> this.objects.create("lease.json", bytes("one")))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(GcsReplicaException.Reason.ACCESS_DENIED))
			.withMessageContaining("roles/storage.objectAdmin");
	}

	@Test
	void readPinsTheBytesToTheGenerationOfTheMetadata() throws IOException {
		this.answer = (exchange) -> {
			if (exchange.getRequestURI().getQuery() != null && exchange.getRequestURI().getQuery().contains("alt=media")) {
				respond(exchange, 200, "lease");
			}
			else {
				respond(exchange, 200, object("77", 5));
			}
		};

		VersionedObject read = this.objects.read("lease.json").orElseThrow();

		assertThat(read.version()).isEqualTo("77");
		assertThat(read.content()).isEqualTo(bytes("lease"));
		assertThat(this.requests).hasSize(2);
		assertThat(this.requests.get(1)).contains("alt=media").contains("generation=77");
	}

	@Test
	void aMissingObjectReadsAsEmpty() throws IOException {
		this.answer = (exchange) -> respond(exchange, 404, error(404, "notFound", "No such object"));

		assertThat(this.objects.read("lease.json")).isEmpty();
	}

	@Test
	void badNamesAndVersionsAreRefusedBeforeAnyRequest() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.objects.create("a/lease.json", bytes("x")));
		assertThatIllegalArgumentException().isThrownBy(() -> this.objects.replace("lease.json", bytes("x"), "\"etag\""));
		assertThat(this.requests).isEmpty();
	}

	private static String object(String generation, int size) {
		return "{\"kind\":\"storage#object\",\"bucket\":\"backups\",\"name\":\"app/lease.json\",\"generation\":\""
				+ generation + "\",\"metageneration\":\"1\",\"size\":\"" + size + "\"}";
	}

	private static String error(int code, String reason, String message) {
		return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"errors\":[{\"reason\":\"" + reason
				+ "\",\"message\":\"" + message + "\"}]}}";
	}

	private static void respond(HttpExchange exchange, int status, String body) throws IOException {
		byte[] bytes = bytes(body);
		exchange.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json" : "application/octet-stream");
		exchange.sendResponseHeaders(status, bytes.length);
		exchange.getResponseBody().write(bytes);
		exchange.close();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	@FunctionalInterface
	private interface Answer {

		void handle(HttpExchange exchange) throws IOException;

	}

}

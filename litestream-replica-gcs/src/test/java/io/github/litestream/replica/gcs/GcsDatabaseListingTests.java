package io.github.litestream.replica.gcs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link GcsReplicaClient#databasesBelow(boolean)} through the real client library.
 *
 * <p>No GCS server or emulator can run here, so the other end is a loopback HTTP endpoint that
 * answers object listings from a set of object names the way the JSON API documents them
 * ({@code prefix} and {@code delimiter} giving {@code items} and {@code prefixes}), and records
 * each request. Whether GCS itself lists that way is not tested, which is why the backend is a
 * preview.
 */
class GcsDatabaseListingTests {

	private static final String GEN = "0123456789abcdef";

	private final TreeSet<String> objects = new TreeSet<>();

	private final List<String> requests = new CopyOnWriteArrayList<>();

	private LoopbackGcs gcs;

	private GcsReplicaClient client;

	@BeforeEach
	void start() throws IOException {
		this.gcs = new LoopbackGcs(this::list, 1);
		this.client = this.gcs.client();
	}

	@AfterEach
	void stop() throws Exception {
		this.gcs.close();
	}

	@Test
	void listsTheDatabasesThatDirectoryReplicationStoredBelowItsPath() throws IOException {
		String segment = "/generations/" + GEN + "/wal/00000000/00000000.wal.lz4";
		for (String database : new String[] { "b.db", "a.db", "eu/c.db", "eu/west/d.db" }) {
			this.objects.add("app/" + database + segment);
		}
		// The root's own backups, a stray object, and databases of another path are not listed.
		this.objects.add("app/generations/" + GEN + "/snapshots/00000000.snapshot.lz4");
		this.objects.add("app/x/readme");
		this.objects.add("other/e.db" + segment);

		assertThat(this.client.databasesBelow(false)).containsExactly("a.db", "b.db");
		assertThat(this.client.databasesBelow(true)).containsExactly("a.db", "b.db", "eu/c.db", "eu/west/d.db");
		assertThat(this.requests).allSatisfy((request) -> assertThat(request).startsWith("GET /storage/v1/b/backups/o")
			.contains("delimiter=/")
			.contains("prefix=app/"));
	}

	@Test
	void anEmptyReplicaHoldsNoDatabases() throws IOException {
		assertThat(this.client.databasesBelow(true)).isEmpty();
	}

	/** One page of objects and prefixes directly under the requested prefix. */
	private void list(HttpExchange exchange) throws IOException {
		this.requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
		Map<String, String> query = new HashMap<>();
		for (String parameter : exchange.getRequestURI().getQuery().split("&")) {
			String[] pair = parameter.split("=", 2);
			query.put(pair[0], (pair.length > 1) ? pair[1] : "");
		}
		String prefix = query.getOrDefault("prefix", "");
		String delimiter = query.get("delimiter");
		List<String> items = new ArrayList<>();
		TreeSet<String> prefixes = new TreeSet<>();
		for (String name : this.objects.tailSet(prefix)) {
			if (!name.startsWith(prefix)) {
				break;
			}
			int cut = (delimiter != null) ? name.indexOf(delimiter, prefix.length()) : -1;
			if (cut >= 0) {
				prefixes.add(name.substring(0, cut + delimiter.length()));
			}
			else {
				items.add("{\"kind\":\"storage#object\",\"bucket\":\"backups\",\"name\":\"" + name
						+ "\",\"generation\":\"1\",\"metageneration\":\"1\",\"size\":\"1\"}");
			}
		}
		String body = "{\"kind\":\"storage#objects\",\"items\":[" + String.join(",", items) + "],\"prefixes\":["
				+ prefixes.stream().map((p) -> "\"" + p + "\"").collect(Collectors.joining(",")) + "]}";
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(200, bytes.length);
		exchange.getResponseBody().write(bytes);
		exchange.close();
	}

}

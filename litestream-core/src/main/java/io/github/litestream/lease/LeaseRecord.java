package io.github.litestream.lease;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

import io.github.litestream.replica.ConditionalObjects.VersionedObject;
import org.jspecify.annotations.Nullable;

/**
 * The content of {@code lease.json}: who holds the replica, under which epoch, and until when.
 * A flat JSON object, so an operator can read it with any tool:
 *
 * <pre>{"format":1,"instance":"…","host":"app-1","pid":1,"epoch":7,
 * "renewed-at":"2026-01-01T10:00:00Z","expires-at":"2026-01-01T10:00:10Z","ttl-ms":10000,"released":false}</pre>
 *
 * <p>The epoch only grows: each new holder (and each re-acquisition) adds one, and a release
 * keeps it. Times are the writer's wall clock, for people and for recognising a lease expired
 * long ago; whether a recent lease expired is judged by watching it stay unchanged (see
 * {@link ReplicaLease}).
 *
 * @param holder who holds it
 * @param epoch the holder's epoch
 * @param renewedAt when it was last written
 * @param expiresAt when it lapses without renewal
 * @param ttl how long it lasts after a renewal
 * @param released whether the holder gave it up (a clean stop)
 */
public record LeaseRecord(LeaseHolder holder, long epoch, Instant renewedAt, Instant expiresAt, Duration ttl,
		boolean released) {

	private static final int FORMAT = 1;

	/**
	 * The record as stored.
	 * @return UTF-8 JSON
	 */
	public byte[] toJson() {
		String json = "{\"format\":" + FORMAT + ",\"instance\":" + FlatJson.quote(this.holder.instance()) + ",\"host\":"
				+ FlatJson.quote(this.holder.host()) + ",\"pid\":" + this.holder.pid() + ",\"epoch\":" + this.epoch
				+ ",\"renewed-at\":\"" + this.renewedAt + "\",\"expires-at\":\"" + this.expiresAt + "\",\"ttl-ms\":"
				+ this.ttl.toMillis() + ",\"released\":" + this.released + "}\n";
		return json.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Reads a stored record.
	 * @param json the object's content
	 * @return the record
	 * @throws IllegalArgumentException if it is not a lease record
	 */
	public static LeaseRecord parse(byte[] json) {
		Map<String, String> fields = FlatJson.parse(new String(json, StandardCharsets.UTF_8));
		try {
			LeaseHolder holder = new LeaseHolder(required(fields, "instance"), required(fields, "host"),
					Long.parseLong(required(fields, "pid")));
			return new LeaseRecord(holder, Long.parseLong(required(fields, "epoch")),
					Instant.parse(required(fields, "renewed-at")), Instant.parse(required(fields, "expires-at")),
					Duration.ofMillis(Long.parseLong(required(fields, "ttl-ms"))),
					Boolean.parseBoolean(required(fields, "released")));
		}
		catch (NumberFormatException | DateTimeParseException ex) {
			throw new IllegalArgumentException("Not a lease record: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Reads a stored object that may not be a lease.
	 * @return the lease, or {@code null} if it is none (reading it again names the problem)
	 */
	static @Nullable LeaseRecord readIfLease(VersionedObject object) {
		try {
			return parse(object.content());
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * Reads the lease object stored in a replica.
	 * @param object the stored object
	 * @param replica the replica's name, for the message
	 * @param location where it lives, for the message
	 * @return the lease
	 * @throws IOException if the object is not a lease
	 */
	static LeaseRecord read(VersionedObject object, String replica, String location) throws IOException {
		try {
			return parse(object.content());
		}
		catch (IllegalArgumentException ex) {
			throw new IOException(ReplicaLease.OBJECT + " in replica '" + replica + "' (" + location
					+ ") is not a lease: " + ex.getMessage() + ". If no instance writes to this replica, delete it",
					ex);
		}
	}

	private static String required(Map<String, String> fields, String name) {
		String value = fields.get(name);
		if (value == null) {
			throw new IllegalArgumentException("Not a lease record: no '" + name + "'");
		}
		return value;
	}

	/**
	 * Whether this record still keeps others out at a moment, by its own times.
	 * @param now the moment
	 * @return {@code true} if it is neither released nor past its expiry
	 */
	public boolean isLiveAt(Instant now) {
		return !this.released && now.isBefore(this.expiresAt);
	}

}

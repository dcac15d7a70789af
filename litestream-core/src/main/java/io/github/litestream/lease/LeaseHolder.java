package io.github.litestream.lease;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.UUID;

/**
 * Who holds a lease: an instance id that is new for every engine (so a restarted process, even
 * with the same host name and pid, is another holder), and the host and pid for people.
 *
 * @param instance a random id of one engine instance
 * @param host the host name
 * @param pid the process id
 */
public record LeaseHolder(String instance, String host, long pid) {

	/**
	 * Validates the holder.
	 * @param instance the instance id
	 * @param host the host name
	 * @param pid the process id
	 */
	public LeaseHolder {
		Objects.requireNonNull(instance, "instance");
		Objects.requireNonNull(host, "host");
	}

	/**
	 * A new holder for this process: a fresh instance id, this host and pid.
	 * @return the holder
	 */
	public static LeaseHolder newInstance() {
		return new LeaseHolder(UUID.randomUUID().toString(), hostName(), ProcessHandle.current().pid());
	}

	private static String hostName() {
		String fromEnvironment = System.getenv("HOSTNAME");
		if (fromEnvironment != null && !fromEnvironment.isBlank()) {
			return fromEnvironment;
		}
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			return "unknown";
		}
	}

	@Override
	public String toString() {
		return "instance " + this.instance + " on host " + this.host + " (pid " + this.pid + ")";
	}

}

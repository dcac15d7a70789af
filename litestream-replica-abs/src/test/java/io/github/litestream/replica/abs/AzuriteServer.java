package io.github.litestream.replica.abs;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.azure.storage.blob.BlobContainerClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Azure Blob Storage server for tests: Azurite's blob service (the npm package
 * {@code azurite}) in a child process on a free loopback port, with the well-known development
 * account. Register it with {@code @RegisterExtension static}; it starts before the class's
 * tests and stops after them, and the class is skipped, saying why, when Azurite is not
 * installed.
 *
 * <p>Azurite is looked up in the system property {@code azurite.blob}, the environment variable
 * {@code AZURITE_BLOB}, {@code ~/.cache/litestream-spring-boot/azurite} (where {@code .ci/run}
 * installs it) and the {@code PATH}.
 */
public final class AzuriteServer implements BeforeAllCallback, AfterAllCallback {

	/** Azurite's development account. */
	public static final String ACCOUNT_NAME = "devstoreaccount1";

	/** The development account's published key (not a secret: every Azurite accepts it). */
	public static final String ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

	private static final long START_TIMEOUT_MILLIS = 60_000;

	private Path workspace;

	private int port;

	private Process process;

	private Path executable;

	@Override
	public void beforeAll(ExtensionContext context) throws Exception {
		Optional<Path> executable = find();
		assumeTrue(executable.isPresent(), "Azurite is not installed: run `npm install --prefix "
				+ "~/.cache/litestream-spring-boot/azurite azurite` (as .ci/run does) or set AZURITE_BLOB to azurite-blob");
		this.workspace = Files.createTempDirectory("azurite-");
		this.port = freePort();
		this.executable = executable.get();
		start();
	}

	@Override
	public void afterAll(ExtensionContext context) throws Exception {
		stop();
	}

	/**
	 * The Blob service endpoint of the development account, path style, as a replica's
	 * {@code endpoint} takes it.
	 * @return {@code http://127.0.0.1:<port>/devstoreaccount1}
	 */
	public String endpoint() {
		return "http://127.0.0.1:" + this.port + "/" + ACCOUNT_NAME;
	}

	/**
	 * Creates an empty container with a fresh name.
	 * @return its name
	 */
	public String createContainer() {
		String name = "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
		container(name).create();
		return name;
	}

	/**
	 * A client on a container, outside the code under test.
	 * @param name the container
	 * @return the client
	 */
	public BlobContainerClient container(String name) {
		return AbsClientFactory.withDefaults().create(config(name, "").build());
	}

	/**
	 * A configuration for the development account on this server.
	 * @param container the container
	 * @param path the blob name prefix
	 * @return a builder with working credentials and no environment
	 */
	public AbsReplicaConfig.Builder config(String container, String path) {
		return AbsReplicaConfig.builder()
			.accountName(ACCOUNT_NAME)
			.accountKey(ACCOUNT_KEY)
			.container(container)
			.path(path)
			.endpoint(endpoint())
			.environment((name) -> null);
	}

	/**
	 * Stops the server. Azurite waits for its clients' open connections before it exits, so it
	 * gets two seconds and is then killed.
	 * @throws InterruptedException if interrupted while it stops
	 */
	public synchronized void stop() throws InterruptedException {
		if (this.process != null) {
			this.process.destroy();
			if (!this.process.waitFor(2, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor();
			}
			this.process = null;
		}
	}

	/**
	 * The server's port on {@code 127.0.0.1}.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Starts the server (again) on its port, with the blobs it held before.
	 * @throws IOException if it cannot start
	 * @throws InterruptedException if interrupted while it starts
	 */
	public synchronized void start() throws IOException, InterruptedException {
		if (this.process != null) {
			return;
		}
		List<String> command = new ArrayList<>(List.of(this.executable.toString(), "--blobHost", "127.0.0.1", "--blobPort",
				String.valueOf(this.port), "--location", this.workspace.toString(), "--skipApiVersionCheck", "--loose",
				"--disableProductStyleUrl", "--silent"));
		Path log = this.workspace.resolve("azurite.log");
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
		// Telemetry would try to reach the internet.
		builder.environment().put("AZURITE_DISABLE_TELEMETRY", "true");
		this.process = builder.start();
		Process started = this.process;
		// A test JVM that dies early must not leave the server running.
		Runtime.getRuntime().addShutdownHook(new Thread(started::destroy, "azurite-stop"));
		long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
		while (!accepts(this.port)) {
			if (!this.process.isAlive()) {
				throw new IOException("Azurite exited with " + this.process.exitValue() + ": " + Files.readString(log));
			}
			if (System.currentTimeMillis() > deadline) {
				stop();
				throw new IOException("Azurite did not listen on port " + this.port + " within "
						+ START_TIMEOUT_MILLIS / 1000 + " s: " + Files.readString(log));
			}
			Thread.sleep(100);
		}
	}

	private static Optional<Path> find() {
		List<String> candidates = new ArrayList<>();
		candidates.add(System.getProperty("azurite.blob"));
		candidates.add(System.getenv("AZURITE_BLOB"));
		candidates.add(System.getProperty("user.home") + "/.cache/litestream-spring-boot/azurite/node_modules/.bin/azurite-blob");
		String path = System.getenv("PATH");
		if (path != null) {
			for (String dir : path.split(java.io.File.pathSeparator)) {
				candidates.add(dir + "/azurite-blob");
			}
		}
		return candidates.stream()
			.filter((candidate) -> candidate != null && !candidate.isBlank())
			.map(Path::of)
			.filter(Files::isExecutable)
			.findFirst();
	}

	private static boolean accepts(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket()) {
			socket.bind(new InetSocketAddress("127.0.0.1", 0));
			return socket.getLocalPort();
		}
	}

}

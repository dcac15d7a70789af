package io.github.litestream.restore;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.github.litestream.age.AgeIdentity;

/**
 * The age-encrypted replica written by the stock Litestream v0.3.14 CLI with two recipients
 * (see its README.md), copied into the test resources so a clean clone has it; its two
 * identities, and the rows a restore at each index must produce.
 */
public final class AgeFixture {

	public static final String GENERATION = "a1c05dab04afbc89";

	static final String LATEST_PAYLOAD_SHA256 = "c061ca817bbfd0bb18aac0cb42d92625270a271be89a61868e17799a92f2bcce";

	private AgeFixture() {
	}

	/**
	 * The fixture directory on the test class path.
	 * @return the directory holding README.md, expected.txt, the identities and replica/
	 */
	public static Path directory() {
		try {
			return Path.of(AgeFixture.class.getResource("/fixtures/litestream-v0.3.14-age-replica").toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The replica's root, read-only by convention.
	 * @return the replica root
	 */
	public static Path replica() {
		return directory().resolve("replica");
	}

	/**
	 * One of the fixture's identity files, as {@code age-keygen} wrote it.
	 * @param number 1 or 2
	 * @return the file
	 */
	public static Path identityFile(int number) {
		return directory().resolve("identity-" + number + ".txt");
	}

	/**
	 * One of the fixture's identities.
	 * @param number 1 or 2
	 * @return the identity
	 * @throws IOException if the file cannot be read
	 */
	public static AgeIdentity identity(int number) throws IOException {
		return AgeIdentity.parseFile(Files.readString(identityFile(number))).get(0);
	}

	/**
	 * Copies the replica and the identity files so a test may use them from anywhere.
	 * @param target the directory that gets replica/, identity-1.txt and identity-2.txt
	 * @return {@code target}
	 * @throws IOException if the copy fails
	 */
	public static Path copyTo(Path target) throws IOException {
		Files.createDirectories(target);
		Path replica = target.resolve("replica");
		try (Stream<Path> tree = Files.walk(replica())) {
			for (Path path : tree.toList()) {
				Path copy = replica.resolve(replica().relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(copy);
				}
				else {
					Files.copy(path, copy);
				}
			}
		}
		for (int number = 1; number <= 2; number++) {
			Files.copy(identityFile(number), target.resolve("identity-" + number + ".txt"));
		}
		return target;
	}

	public static List<Fixture.Expected> expected() {
		return Fixture.expected(directory());
	}

}

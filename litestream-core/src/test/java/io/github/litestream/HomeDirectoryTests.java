package io.github.litestream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A leading {@code ~} means the home directory, as in Litestream; nothing else is touched.
 */
class HomeDirectoryTests {

	private static final String HOME = System.getProperty("user.home");

	@Test
	void aLeadingTildeIsTheHomeDirectory() {
		assertThat(HomeDirectory.expand("~")).isEqualTo(HOME);
		assertThat(HomeDirectory.expand("~/litestream.yml")).isEqualTo(HOME + "/litestream.yml");
		assertThat(HomeDirectory.expand("~/backups/app")).isEqualTo(HOME + "/backups/app");
	}

	@Test
	void otherPathsAreLeftAsTheyAre() {
		assertThat(HomeDirectory.expand("/etc/litestream.yml")).isEqualTo("/etc/litestream.yml");
		assertThat(HomeDirectory.expand("data/app.db")).isEqualTo("data/app.db");
		assertThat(HomeDirectory.expand("~other/app.db")).as("another user's home, as Litestream")
			.isEqualTo("~other/app.db");
		assertThat(HomeDirectory.expand("~app.db")).isEqualTo("~app.db");
		assertThat(HomeDirectory.expand("data/~/app.db")).isEqualTo("data/~/app.db");
		assertThat(HomeDirectory.expand("")).isEmpty();
	}

}

package io.github.litestream.replica;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passwords hidden from replica URLs in messages, also from URLs that do not parse.
 */
class ReplicaUrlsTests {

	@Test
	void hidesThePasswordOfAValidUrl() {
		assertThat(ReplicaUrls.redact("sftp://backup:s3cret@nas:2222/b")).isEqualTo("sftp://backup:******@nas:2222/b");
	}

	@Test
	void hidesPasswordsThatMakeTheUrlInvalid() {
		assertThat(ReplicaUrls.redact("sftp://backup:50%off@nas/backups")).isEqualTo("sftp://backup:******@nas/backups");
		assertThat(ReplicaUrls.redact("sftp://u:pa/ss@nas/b")).isEqualTo("sftp://u:******@nas/b");
		assertThat(ReplicaUrls.redact("sftp://u:pa#ss@nas/b")).isEqualTo("sftp://u:******@nas/b");
	}

	@Test
	void hidesMoreRatherThanLessWhenThePathHoldsAnAt() {
		assertThat(ReplicaUrls.redact("sftp://u:p@nas/a@b")).doesNotContain(":p@").startsWith("sftp://u:******@");
	}

	@Test
	void leavesUrlsWithoutAPasswordAlone() {
		assertThat(ReplicaUrls.redact("sftp://backup@nas:22/b")).isEqualTo("sftp://backup@nas:22/b");
		assertThat(ReplicaUrls.redact("s3://bucket/path")).isEqualTo("s3://bucket/path");
		assertThat(ReplicaUrls.redact("/backups/app")).isEqualTo("/backups/app");
		assertThat(ReplicaUrls.redact(null)).isNull();
	}

}

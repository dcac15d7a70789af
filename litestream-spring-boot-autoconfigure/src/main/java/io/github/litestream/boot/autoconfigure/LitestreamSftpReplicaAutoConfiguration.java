package io.github.litestream.boot.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * The {@code sftp} replica type, when {@code litestream-replica-sftp} (and so Apache MINA SSHD)
 * is on the classpath: SFTP types are referenced nowhere else, so applications without SFTP
 * replicas don't need it.
 */
@AutoConfiguration(before = LitestreamAutoConfiguration.class)
@ConditionalOnClass(name = { "org.sqlite.SQLiteConnection", "io.github.litestream.replica.sftp.SftpReplicaClient",
		"org.apache.sshd.sftp.client.SftpClient" })
@ConditionalOnProperty(prefix = "litestream", name = "enabled", matchIfMissing = true)
public final class LitestreamSftpReplicaAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "litestreamSftpReplicaClientProvider")
	SftpReplicaClientProvider litestreamSftpReplicaClientProvider() {
		return new SftpReplicaClientProvider();
	}

}

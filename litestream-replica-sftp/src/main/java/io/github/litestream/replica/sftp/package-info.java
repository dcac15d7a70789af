/**
 * The {@code sftp} backend: {@link io.github.litestream.replica.sftp.SftpReplicaClient}, a
 * replica on an SSH server reached over SFTP (Apache MINA SSHD), with one reused SSH session,
 * host key checking against {@code known_hosts} or a pinned key, and retries.
 */
@NullMarked
package io.github.litestream.replica.sftp;

import org.jspecify.annotations.NullMarked;

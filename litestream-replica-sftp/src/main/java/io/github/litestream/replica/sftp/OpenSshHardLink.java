package io.github.litestream.replica.sftp;

import java.io.IOException;

import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.sftp.client.RawSftpClient;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.helpers.AbstractSftpClientExtension;
import org.jspecify.annotations.Nullable;

/**
 * OpenSSH's {@code hardlink@openssh.com} request, which MINA SSHD's client does not offer
 * (its own {@code link} needs SFTP v6): the server calls {@code link(2)}, which gives an
 * existing file a second name and fails if that name exists, in one step. OpenSSH's
 * sftp-server has it since 5.7, MINA SSHD's server too; the server lists it among its
 * extensions when it has it.
 */
final class OpenSshHardLink extends AbstractSftpClientExtension {

	static final String NAME = "hardlink@openssh.com";

	private OpenSshHardLink(SftpClient sftp) {
		super(NAME, sftp, (RawSftpClient) sftp, sftp.getServerExtensions());
	}

	/**
	 * The request on a channel, if its server offers it.
	 * @param sftp the channel
	 * @return the request, or {@code null} if the server does not list it
	 */
	static @Nullable OpenSshHardLink of(SftpClient sftp) {
		if (!(sftp instanceof RawSftpClient) || !sftp.getServerExtensions().containsKey(NAME)) {
			return null;
		}
		return new OpenSshHardLink(sftp);
	}

	/**
	 * Gives a file a second name.
	 * @param existing the file
	 * @param link the new name, which must not exist
	 * @throws IOException with the server's status if it refused, for instance because the
	 * new name exists
	 */
	void link(String existing, String link) throws IOException {
		Buffer buffer = getCommandBuffer(Integer.BYTES * 2 + existing.length() + link.length());
		putTarget(buffer, existing);
		putTarget(buffer, link);
		checkExtendedReplyBuffer(receive(sendExtendedCommand(buffer)));
	}

}

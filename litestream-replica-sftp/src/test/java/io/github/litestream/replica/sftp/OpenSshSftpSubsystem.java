package io.github.litestream.replica.sftp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.shell.ProcessShellFactory;
import org.apache.sshd.server.subsystem.SubsystemFactory;

/**
 * The {@code sftp} subsystem served by OpenSSH's own {@code sftp-server} program (Debian's
 * {@code openssh-sftp-server}, which {@code .ci/run} installs) in a child process per channel,
 * behind MINA SSHD's SSH transport: every SFTP request is answered by the code a real OpenSSH
 * server runs. It starts in the server's root directory, so relative paths land there; it is
 * not confined to it, so tests use relative paths only.
 */
final class OpenSshSftpSubsystem implements SubsystemFactory {

	private static final Path PROGRAM = Path.of("/usr/lib/openssh/sftp-server");

	private final Path root;

	OpenSshSftpSubsystem(Path root) {
		this.root = root;
	}

	/**
	 * OpenSSH's sftp-server, if installed.
	 * @return the program
	 */
	static Optional<Path> program() {
		return Files.isExecutable(PROGRAM) ? Optional.of(PROGRAM) : Optional.empty();
	}

	@Override
	public String getName() {
		return "sftp";
	}

	@Override
	public Command createSubsystem(ChannelSession channel) {
		// The factory runs its command line with /bin/sh -c.
		String command = "'" + PROGRAM + "' -d '" + this.root + "'";
		return new ProcessShellFactory(command, PROGRAM.toString(), "-d", this.root.toString()).createShell(channel);
	}

}

package io.github.litestream;

import java.nio.file.Path;
import java.util.List;

import io.github.litestream.age.AgeRecipient;
import io.github.litestream.replica.AgeReplicaClient;
import io.github.litestream.replica.file.FileReplicaClient;

/**
 * Child process for the encrypted crash test: a {@link ConsistentWriter} whose file replica
 * encrypts to the recipient in the environment variable {@code AGE_RECIPIENT}, with no
 * identity (as the stock CLI wrote the age fixture: a writer needs only public keys).
 */
public final class AgeConsistentWriter {

	private AgeConsistentWriter() {
	}

	public static void main(String[] args) throws Exception {
		AgeRecipient recipient = AgeRecipient.parse(System.getenv("AGE_RECIPIENT"));
		ConsistentWriter.run(args,
				new AgeReplicaClient(new FileReplicaClient(Path.of(args[1])), List.of(recipient), List.of()));
	}

}

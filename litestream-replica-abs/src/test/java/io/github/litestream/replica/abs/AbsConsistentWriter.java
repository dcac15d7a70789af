package io.github.litestream.replica.abs;

import io.github.litestream.ConsistentWriter;
import io.github.litestream.replica.ReplicaOperationListener;

/**
 * Child process: the {@link ConsistentWriter}, replicating to Azure Blob Storage.
 * <p>Arguments: database, {@code abs://account@container/path}, history log, Blob endpoint; the
 * key in {@code LITESTREAM_AZURE_ACCOUNT_KEY}, as Litestream reads it.
 */
public final class AbsConsistentWriter {

	private AbsConsistentWriter() {
	}

	public static void main(String[] args) throws Exception {
		AbsReplicaConfig config = AbsReplicaConfig.builder().url(args[1]).endpoint(args[3]).build();
		ConsistentWriter.run(args, new AbsReplicaClient(AbsClientFactory.withDefaults().create(config), config,
				ReplicaOperationListener.NONE));
	}

}

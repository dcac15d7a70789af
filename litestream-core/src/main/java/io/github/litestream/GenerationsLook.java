package io.github.litestream;

import java.io.IOException;
import java.util.List;

import io.github.litestream.Litestream.ReplicationTarget;
import io.github.litestream.replica.ForwardingReplicaClient;
import io.github.litestream.replica.Replica;
import io.github.litestream.replica.ReplicaClient;

/**
 * What a missing file's restore saw of each replica's generations, for the replicas of the
 * database registered next: a replica whose store listed no generation at all held nothing
 * retention could delete, so its first retention pass need not list the generations again
 * ({@link Replica#storeListedEmpty()}). Only an answer seen through this client counts (a
 * restore that reads its replicas another way leaves the first pass as it is), and only if every
 * listing of the generations was empty.
 */
final class GenerationsLook extends ForwardingReplicaClient {

	/** 0 if the generations were not listed, 1 if every listing was empty, -1 if one was not. */
	private volatile int listedEmpty;

	private GenerationsLook(ReplicaClient delegate) {
		super(delegate);
	}

	/**
	 * The targets, each with its client watched, for the restore.
	 * @param targets the database's replicas
	 * @return the same replicas, in the same order
	 */
	static List<ReplicationTarget> watch(List<ReplicationTarget> targets) {
		return targets.stream()
			.map((target) -> new ReplicationTarget(new GenerationsLook(target.client()), target.options()))
			.toList();
	}

	/**
	 * Tells each replica whose store the restore found without any generation.
	 * @param watched what {@link #watch} returned, after the restore
	 * @param replicas the database's replicas, made from the same targets in the same order
	 */
	static void tell(List<ReplicationTarget> watched, List<Replica> replicas) {
		for (int i = 0; i < watched.size() && i < replicas.size(); i++) {
			if (watched.get(i).client() instanceof GenerationsLook look && look.listedEmpty > 0) {
				replicas.get(i).storeListedEmpty();
			}
		}
	}

	@Override
	public List<String> generations() throws IOException {
		List<String> generations = super.generations();
		synchronized (this) {
			this.listedEmpty = (generations.isEmpty() && this.listedEmpty >= 0) ? 1 : -1;
		}
		return generations;
	}

	@Override
	public void close() {
		// The replica's client outlives the restore.
	}

}

package io.github.litestream.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.litestream.db.DatabaseOptions;
import io.github.litestream.lease.LeaseOptions;
import io.github.litestream.replica.ReplicaOptions;
import io.github.litestream.restore.RestoreOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for Litestream replication. The keys mirror those of
 * {@code litestream.yml}, so a Litestream configuration can be pasted under
 * {@code litestream:}. Defaults come from the engine's own constants. The file is long only
 * because every property needs a javadoc'd field, a getter and a setter, for binding and for
 * the IDE metadata; there is no logic here.
 *
 * @see LitestreamAutoConfiguration
 */
@ConfigurationProperties("litestream")
public class LitestreamProperties {

	/**
	 * Whether to restore and replicate the configured SQLite databases.
	 */
	private boolean enabled = true;

	/**
	 * Whether to expand $VAR and ${VAR} environment variable references in litestream.*
	 * values, as Litestream does in its configuration file.
	 */
	private boolean expandEnv = true;

	/**
	 * Access key ID used by every S3 replica that does not set its own.
	 */
	private @Nullable String accessKeyId;

	/**
	 * Secret access key used by every S3 replica that does not set its own.
	 */
	private @Nullable String secretAccessKey;

	/**
	 * Maximum time to wait, on shutdown, for the last WAL changes to reach every replica.
	 */
	private Duration shutdownTimeout = Duration.ofSeconds(30);

	/**
	 * How long a connection waits for a lock before failing with SQLITE_BUSY; applied to
	 * every connection of the application's SQLite DataSources.
	 */
	private Duration busyTimeout = DatabaseOptions.DEFAULT_BUSY_TIMEOUT;

	/**
	 * Synchronous mode applied to every connection of the application's SQLite DataSources.
	 */
	private Synchronous synchronous = Synchronous.NORMAL;

	/**
	 * How transactions on the application's SQLite connections begin, where the URL and the
	 * data source properties set no transaction_mode: AUTO takes the write lock before the
	 * first statement of every transaction that is not read-only (BEGIN IMMEDIATE, so a
	 * transaction that reads and then writes waits for the engine's checkpoints instead of
	 * failing with SQLITE_BUSY); DEFERRED leaves sqlite-jdbc's default.
	 */
	private TransactionMode transactionMode = TransactionMode.AUTO;

	/**
	 * Databases to replicate, each with its path, intervals, restore settings and replicas,
	 * as in litestream.yml.
	 */
	private List<Database> dbs = new ArrayList<>();

	/**
	 * Number of threads that copy WAL into the shadow WALs, for all databases together.
	 * Defaults to one per processor.
	 */
	private @Nullable Integer captureThreads;

	/**
	 * Number of threads that ship to replicas, snapshot and enforce retention, for all
	 * databases together; they mostly wait on the network. Defaults to four per processor, at
	 * least eight.
	 */
	private @Nullable Integer replicaThreads;

	public @Nullable Integer getCaptureThreads() {
		return this.captureThreads;
	}

	public void setCaptureThreads(@Nullable Integer captureThreads) {
		this.captureThreads = captureThreads;
	}

	public @Nullable Integer getReplicaThreads() {
		return this.replicaThreads;
	}

	public void setReplicaThreads(@Nullable Integer replicaThreads) {
		this.replicaThreads = replicaThreads;
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public boolean isExpandEnv() {
		return this.expandEnv;
	}

	public void setExpandEnv(boolean expandEnv) {
		this.expandEnv = expandEnv;
	}

	public @Nullable String getAccessKeyId() {
		return this.accessKeyId;
	}

	public void setAccessKeyId(@Nullable String accessKeyId) {
		this.accessKeyId = accessKeyId;
	}

	public @Nullable String getSecretAccessKey() {
		return this.secretAccessKey;
	}

	public void setSecretAccessKey(@Nullable String secretAccessKey) {
		this.secretAccessKey = secretAccessKey;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public Duration getBusyTimeout() {
		return this.busyTimeout;
	}

	public void setBusyTimeout(Duration busyTimeout) {
		this.busyTimeout = busyTimeout;
	}

	public Synchronous getSynchronous() {
		return this.synchronous;
	}

	public void setSynchronous(Synchronous synchronous) {
		this.synchronous = synchronous;
	}

	public TransactionMode getTransactionMode() {
		return this.transactionMode;
	}

	public void setTransactionMode(TransactionMode transactionMode) {
		this.transactionMode = transactionMode;
	}

	public List<Database> getDbs() {
		return this.dbs;
	}

	public void setDbs(List<Database> dbs) {
		this.dbs = dbs;
	}

	@Override
	public String toString() {
		return "LitestreamProperties[enabled=" + this.enabled + ", accessKeyId=" + Secrets.redact(this.accessKeyId)
				+ ", secretAccessKey=" + Secrets.redact(this.secretAccessKey) + ", dbs=" + this.dbs + "]";
	}

	/**
	 * SQLite's {@code PRAGMA synchronous} modes: how often SQLite waits for writes to reach
	 * the disk.
	 */
	public enum Synchronous {

		/**
		 * Never waits: an operating system crash or power loss may corrupt the database.
		 */
		OFF,

		/**
		 * Waits at checkpoints only: in WAL mode a power loss may lose the last transactions,
		 * never corrupt the database.
		 */
		NORMAL,

		/**
		 * Waits at every commit.
		 */
		FULL,

		/**
		 * Like FULL, and also syncs the directory after deleting a journal.
		 */
		EXTRA

	}

	/**
	 * How transactions begin on connections whose URL and properties set no
	 * {@code transaction_mode}.
	 */
	public enum TransactionMode {

		/**
		 * Transactions that are not read-only begin IMMEDIATE, taking the write lock (waiting
		 * for it within the busy timeout) before their first statement; read-only ones begin
		 * DEFERRED.
		 */
		AUTO,

		/**
		 * Every transaction begins DEFERRED (sqlite-jdbc's default): one that reads and then
		 * writes fails with SQLITE_BUSY if another connection holds the write lock.
		 */
		DEFERRED

	}

	/**
	 * Whether commits wait until a replica stores them.
	 */
	public enum SynchronousReplication {

		/**
		 * Commits return at once and reach the replicas within a sync interval.
		 */
		OFF,

		/**
		 * Every commit through the database's DataSource returns only once it is stored in
		 * the replicas that {@code synchronous-replicas} asks for.
		 */
		ON

	}

	/**
	 * One replicated database.
	 */
	public static class Database {

		/**
		 * Path of the database file; optional when the application has exactly one SQLite
		 * DataSource, whose file is then used.
		 */
		private @Nullable String path;

		/**
		 * Directory whose databases are all replicated, each under its path relative to the
		 * directory below every replica's path (Litestream v0.5's directory mode); exclusive
		 * with path.
		 */
		private @Nullable String dir;

		/**
		 * Glob matched against file names in dir.
		 */
		private String pattern = "*.db";

		/**
		 * Whether to replicate the databases of dir's subdirectories too.
		 */
		private boolean recursive;

		/**
		 * How often the WAL is checked for new commits.
		 */
		private Duration monitorInterval = DatabaseOptions.DEFAULT_MONITOR_INTERVAL;

		/**
		 * Time after which a PASSIVE checkpoint runs when the WAL has changed.
		 */
		private Duration checkpointInterval = DatabaseOptions.DEFAULT_CHECKPOINT_INTERVAL;

		/**
		 * Number of WAL pages at which a PASSIVE checkpoint runs.
		 */
		private int minCheckpointPageCount = DatabaseOptions.DEFAULT_MIN_CHECKPOINT_PAGE_COUNT;

		/**
		 * Number of WAL pages at which a checkpoint restarts the WAL; it waits for readers only
		 * briefly and otherwise tries again at the next sync.
		 */
		private int maxCheckpointPageCount = DatabaseOptions.DEFAULT_MAX_CHECKPOINT_PAGE_COUNT;

		/**
		 * Maximum size of the local shadow WAL kept for replicas that are failing. Past it, the
		 * engine stops keeping WAL for them and they restart from a new snapshot when they come
		 * back. 0 means no bound.
		 */
		private DataSize maxShadowWalSize = DataSize.ofBytes(DatabaseOptions.DEFAULT_MAX_SHADOW_WAL_SIZE);

		/**
		 * Whether every commit through the database's DataSource returns only once it is
		 * stored in a replica. A commit not stored within synchronous-timeout throws
		 * ReplicationTimeoutException: it stays committed locally and is still shipped.
		 */
		private SynchronousReplication synchronousReplication = SynchronousReplication.OFF;

		/**
		 * How many replicas must store a commit with synchronous replication: 1 (any one) or
		 * all.
		 */
		private String synchronousReplicas = "1";

		/**
		 * How long a commit waits for its replication at most.
		 */
		private Duration synchronousTimeout = Duration.ofSeconds(5);

		/**
		 * Restore-on-boot settings.
		 */
		private final Restore restore = new Restore();

		/**
		 * The lease each replica carries, so that only one instance writes to it.
		 */
		private final Lease lease = new Lease();

		/**
		 * Whether this instance waits as a standby while another holds the lease of the first
		 * replica: it follows that replica into the database file, and its connections and
		 * schema migrations wait until it takes over, as soon as the lease is released or
		 * expires. Without it, an instance that finds the lease held fails to start.
		 */
		private boolean standby;

		/**
		 * Replicas the database is copied to.
		 */
		private List<Replica> replicas = new ArrayList<>();

		public @Nullable String getPath() {
			return this.path;
		}

		public @Nullable String getDir() {
			return this.dir;
		}

		public void setDir(@Nullable String dir) {
			this.dir = dir;
		}

		public String getPattern() {
			return this.pattern;
		}

		public void setPattern(String pattern) {
			this.pattern = pattern;
		}

		public boolean isRecursive() {
			return this.recursive;
		}

		public void setRecursive(boolean recursive) {
			this.recursive = recursive;
		}

		public void setPath(@Nullable String path) {
			this.path = path;
		}

		public Duration getMonitorInterval() {
			return this.monitorInterval;
		}

		public void setMonitorInterval(Duration monitorInterval) {
			this.monitorInterval = monitorInterval;
		}

		public Duration getCheckpointInterval() {
			return this.checkpointInterval;
		}

		public void setCheckpointInterval(Duration checkpointInterval) {
			this.checkpointInterval = checkpointInterval;
		}

		public int getMinCheckpointPageCount() {
			return this.minCheckpointPageCount;
		}

		public void setMinCheckpointPageCount(int minCheckpointPageCount) {
			this.minCheckpointPageCount = minCheckpointPageCount;
		}

		public int getMaxCheckpointPageCount() {
			return this.maxCheckpointPageCount;
		}

		public void setMaxCheckpointPageCount(int maxCheckpointPageCount) {
			this.maxCheckpointPageCount = maxCheckpointPageCount;
		}

		public DataSize getMaxShadowWalSize() {
			return this.maxShadowWalSize;
		}

		public void setMaxShadowWalSize(DataSize maxShadowWalSize) {
			this.maxShadowWalSize = maxShadowWalSize;
		}

		public SynchronousReplication getSynchronousReplication() {
			return this.synchronousReplication;
		}

		public void setSynchronousReplication(SynchronousReplication synchronousReplication) {
			this.synchronousReplication = synchronousReplication;
		}

		public String getSynchronousReplicas() {
			return this.synchronousReplicas;
		}

		public void setSynchronousReplicas(String synchronousReplicas) {
			this.synchronousReplicas = synchronousReplicas;
		}

		public Duration getSynchronousTimeout() {
			return this.synchronousTimeout;
		}

		public void setSynchronousTimeout(Duration synchronousTimeout) {
			this.synchronousTimeout = synchronousTimeout;
		}

		public Restore getRestore() {
			return this.restore;
		}

		public Lease getLease() {
			return this.lease;
		}

		public boolean isStandby() {
			return this.standby;
		}

		public void setStandby(boolean standby) {
			this.standby = standby;
		}

		public List<Replica> getReplicas() {
			return this.replicas;
		}

		public void setReplicas(List<Replica> replicas) {
			this.replicas = replicas;
		}

		@Override
		public String toString() {
			return "Database[" + ((this.dir != null) ? "dir=" + this.dir + ", pattern=" + this.pattern : "path=" + this.path)
					+ ", replicas=" + this.replicas + "]";
		}

	}

	/**
	 * Restore-on-boot settings of one database.
	 */
	public static class Restore {

		/**
		 * Whether to restore the database from its replicas on startup when its file does
		 * not exist.
		 */
		private boolean enabled = true;

		/**
		 * Whether to start with an empty database, rather than fail, when no replica holds
		 * a backup.
		 */
		private boolean ifReplicaExists = true;

		/**
		 * Number of WAL segments downloaded at once during a restore, besides those the
		 * restoring thread fetches itself while it waits. A file replica uses at most one
		 * per processor besides the restoring thread.
		 */
		private int parallelism = RestoreOptions.DEFAULT_PARALLELISM;

		/**
		 * Whether a restore that meets a missing or corrupt replica object restores the
		 * newest earlier point of the same generation that is intact, rather than fail and
		 * stop the application from starting. Each fallback is logged at WARN.
		 */
		private boolean fallBack;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public boolean isIfReplicaExists() {
			return this.ifReplicaExists;
		}

		public void setIfReplicaExists(boolean ifReplicaExists) {
			this.ifReplicaExists = ifReplicaExists;
		}

		public boolean isFallBack() {
			return this.fallBack;
		}

		public void setFallBack(boolean fallBack) {
			this.fallBack = fallBack;
		}

		public int getParallelism() {
			return this.parallelism;
		}

		public void setParallelism(int parallelism) {
			this.parallelism = parallelism;
		}

	}

	/**
	 * The lease of a database's replicas: every replica carries one ({@code lease.json} beside
	 * {@code generations/}), and an instance writes to a replica only while it holds its lease.
	 */
	public static class Lease {

		/**
		 * Whether every replica of the database is leased, so that a second instance on the
		 * same replica is refused and an instance that lost the lease stops writing.
		 */
		private boolean enabled = true;

		/**
		 * How long a lease lasts without renewal; it is renewed every third of it, and writes
		 * stop a fifth of it before it lapses.
		 */
		private Duration ttl = LeaseOptions.DEFAULT_TTL;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

	}

	/**
	 * One replica of a database: the keys every replica type has. A type's own keys, such as
	 * an S3 replica's bucket and credentials, are bound by its {@link ReplicaClientProvider}
	 * from the same entry.
	 */
	public static class Replica {

		/**
		 * Name of the replica, unique per database; defaults to its type.
		 */
		private @Nullable String name;

		/**
		 * Replica type, such as "file" or "s3"; derived from the URL when one is given, and
		 * from the type's own keys (such as bucket) when neither is.
		 */
		private @Nullable String type;

		/**
		 * Replica URL, such as s3://bucket/path or file:///backups/app; an alternative to
		 * type, bucket and path.
		 */
		private @Nullable String url;

		/**
		 * Directory of a file replica, or key prefix of an S3 replica.
		 */
		private @Nullable String path;

		/**
		 * How often new WAL changes are shipped to the replica.
		 */
		private Duration syncInterval = ReplicaOptions.DEFAULT_SYNC_INTERVAL;

		/**
		 * How often a new snapshot is taken; 0 turns periodic snapshots off.
		 */
		private Duration snapshotInterval = ReplicaOptions.DEFAULT_SNAPSHOT_INTERVAL;

		/**
		 * How long snapshots, and the WAL they need, are kept; 0 keeps everything.
		 */
		private Duration retention = ReplicaOptions.DEFAULT_RETENTION;

		/**
		 * How often retention is enforced (and once soon after start); at most the retention.
		 */
		private Duration retentionCheckInterval = ReplicaOptions.DEFAULT_RETENTION_CHECK_INTERVAL;

		/**
		 * How often the replica is restored and compared with the database; 0 turns
		 * validation off.
		 */
		private Duration validationInterval = ReplicaOptions.DEFAULT_VALIDATION_INTERVAL;

		/**
		 * Client-side encryption with age, as in litestream.yml.
		 */
		@NestedConfigurationProperty
		private final AgeProperties age = new AgeProperties();

		/**
		 * Every key of the entry, as written, so that an entry setting only its type's own
		 * keys (such as bucket) still binds; those keys are read by the type's
		 * {@link ReplicaClientProvider}, never from here. Not a property of its own.
		 */
		@Name("")
		private Map<String, Object> keys = new LinkedHashMap<>();

		public @Nullable String getName() {
			return this.name;
		}

		public void setName(@Nullable String name) {
			this.name = name;
		}

		public @Nullable String getType() {
			return this.type;
		}

		public void setType(@Nullable String type) {
			this.type = type;
		}

		public @Nullable String getUrl() {
			return this.url;
		}

		public void setUrl(@Nullable String url) {
			this.url = url;
		}

		public @Nullable String getPath() {
			return this.path;
		}

		public void setPath(@Nullable String path) {
			this.path = path;
		}

		public Duration getSyncInterval() {
			return this.syncInterval;
		}

		public void setSyncInterval(Duration syncInterval) {
			this.syncInterval = syncInterval;
		}

		public Duration getSnapshotInterval() {
			return this.snapshotInterval;
		}

		public void setSnapshotInterval(Duration snapshotInterval) {
			this.snapshotInterval = snapshotInterval;
		}

		public Duration getRetention() {
			return this.retention;
		}

		public void setRetention(Duration retention) {
			this.retention = retention;
		}

		public Duration getRetentionCheckInterval() {
			return this.retentionCheckInterval;
		}

		public void setRetentionCheckInterval(Duration retentionCheckInterval) {
			this.retentionCheckInterval = retentionCheckInterval;
		}

		public Duration getValidationInterval() {
			return this.validationInterval;
		}

		public void setValidationInterval(Duration validationInterval) {
			this.validationInterval = validationInterval;
		}

		public AgeProperties getAge() {
			return this.age;
		}

		Map<String, Object> getKeys() {
			return this.keys;
		}

		void setKeys(Map<String, Object> keys) {
			this.keys = keys;
		}

		@Override
		public String toString() {
			return "Replica[name=" + this.name + ", type=" + this.type + ", url=" + Secrets.redactUrl(this.url) + ", path=" + this.path
					+ "]";
		}

	}

}

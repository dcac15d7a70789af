package io.github.litestream.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The harness's command line. {@code --quick} picks small sizes and short durations (a couple
 * of minutes in all); every size and duration can also be set on its own, after it.
 *
 * @param out where the report goes
 * @param scenarios which scenarios run, in order
 * @param writeDuration how long each write-overhead run lasts
 * @param rounds how many times the write-overhead variants alternate (the median counts)
 * @param lagDuration how long each paced lag run lasts
 * @param lagRates the paced writer's rates, transactions per second
 * @param restoreMib size of the restore scenario's database
 * @param restoreSegments WAL segments in the restore scenario's replica
 * @param snapshotMib size of the snapshot scenario's database
 * @param snapshotHeap the child JVM's -Xmx for the snapshot scenario
 * @param idleDuration the idle period (and the idle baseline's)
 * @param soakCycles kill/restore cycles of the soak
 */
record HarnessOptions(Path out, Set<String> scenarios, Duration writeDuration, int rounds, Duration lagDuration,
		List<Integer> lagRates, int restoreMib, int restoreSegments, int snapshotMib, String snapshotHeap,
		Duration idleDuration, int soakCycles) {

	/** The scenarios a run makes unless told otherwise. */
	static final List<String> DEFAULT = List.of("write", "lag", "cold-restore", "restore", "snapshot", "idle", "sync",
			"redeploy");

	/**
	 * Every scenario; the soak (about 10 minutes in full), handover (child JVMs killed and
	 * stopped), many (1,000 and 10,000 databases) and restore-age (the restore scenario's
	 * encrypted pairs alone) run only when asked for.
	 */
	static final List<String> ALL = List.of("write", "lag", "cold-restore", "restore", "snapshot", "idle", "sync",
			"redeploy", "handover", "soak", "many", "restore-age");

	static final String USAGE = """
			Usage: Harness [--quick] [--out DIR] [--scenarios write,lag,cold-restore,restore,snapshot,idle,sync,redeploy,handover,soak,many,restore-age]
			               [--write-seconds N] [--rounds N] [--lag-seconds N] [--lag-rates 100,1000]
			               [--restore-mib N] [--restore-segments N] [--snapshot-mib N] [--snapshot-heap 64m]
			               [--idle-seconds N] [--soak-cycles N]""";

	static HarnessOptions full() {
		return new HarnessOptions(Path.of("target/bench-report"), new LinkedHashSet<>(DEFAULT), Duration.ofSeconds(10), 5,
				Duration.ofSeconds(20), List.of(100, 1000), 256, 1000, 1024, "64m", Duration.ofSeconds(60), 100);
	}

	static HarnessOptions quick() {
		return new HarnessOptions(Path.of("target/bench-report"), new LinkedHashSet<>(DEFAULT), Duration.ofSeconds(3), 1,
				Duration.ofSeconds(5), List.of(100, 1000), 16, 100, 64, "64m", Duration.ofSeconds(10), 4);
	}

	static HarnessOptions parse(String... args) {
		boolean quick = List.of(args).contains("--quick");
		HarnessOptions o = quick ? quick() : full();
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			if (arg.equals("--quick")) {
				continue;
			}
			if (i + 1 >= args.length) {
				throw new IllegalArgumentException("Option " + arg + " needs a value\n" + USAGE);
			}
			String v = args[++i];
			o = switch (arg) {
				case "--out" -> new HarnessOptions(Path.of(v), o.scenarios, o.writeDuration, o.rounds, o.lagDuration,
						o.lagRates, o.restoreMib, o.restoreSegments, o.snapshotMib, o.snapshotHeap, o.idleDuration, o.soakCycles);
				case "--scenarios" -> new HarnessOptions(o.out, scenarios(v), o.writeDuration, o.rounds, o.lagDuration,
						o.lagRates, o.restoreMib, o.restoreSegments, o.snapshotMib, o.snapshotHeap, o.idleDuration, o.soakCycles);
				case "--write-seconds" -> new HarnessOptions(o.out, o.scenarios, seconds(v), o.rounds, o.lagDuration,
						o.lagRates, o.restoreMib, o.restoreSegments, o.snapshotMib, o.snapshotHeap, o.idleDuration, o.soakCycles);
				case "--rounds" -> new HarnessOptions(o.out, o.scenarios, o.writeDuration, positive(arg, v), o.lagDuration,
						o.lagRates, o.restoreMib, o.restoreSegments, o.snapshotMib, o.snapshotHeap, o.idleDuration, o.soakCycles);
				case "--lag-seconds" -> new HarnessOptions(o.out, o.scenarios, o.writeDuration, o.rounds, seconds(v),
						o.lagRates, o.restoreMib, o.restoreSegments, o.snapshotMib, o.snapshotHeap, o.idleDuration, o.soakCycles);
				case "--lag-rates" -> new HarnessOptions(o.out, o.scenarios, o.writeDuration, o.rounds, o.lagDuration,
						rates(v), o.restoreMib, o.restoreSegments, o.snapshotMib, o.snapshotHeap, o.idleDuration, o.soakCycles);
				case "--restore-mib" -> new HarnessOptions(o.out, o.scenarios, o.writeDuration, o.rounds, o.lagDuration,
						o.lagRates, positive(arg, v), o.restoreSegments, o.snapshotMib, o.snapshotHeap, o.idleDuration, o.soakCycles);
				case "--restore-segments" -> new HarnessOptions(o.out, o.scenarios, o.writeDuration, o.rounds,
						o.lagDuration, o.lagRates, o.restoreMib, positive(arg, v), o.snapshotMib, o.snapshotHeap,
						o.idleDuration, o.soakCycles);
				case "--snapshot-mib" -> new HarnessOptions(o.out, o.scenarios, o.writeDuration, o.rounds, o.lagDuration,
						o.lagRates, o.restoreMib, o.restoreSegments, positive(arg, v), o.snapshotHeap, o.idleDuration, o.soakCycles);
				case "--snapshot-heap" -> new HarnessOptions(o.out, o.scenarios, o.writeDuration, o.rounds, o.lagDuration,
						o.lagRates, o.restoreMib, o.restoreSegments, o.snapshotMib, v, o.idleDuration, o.soakCycles);
				case "--idle-seconds" -> new HarnessOptions(o.out, o.scenarios, o.writeDuration, o.rounds, o.lagDuration,
						o.lagRates, o.restoreMib, o.restoreSegments, o.snapshotMib, o.snapshotHeap, seconds(v), o.soakCycles);
				case "--soak-cycles" -> new HarnessOptions(o.out, o.scenarios, o.writeDuration, o.rounds, o.lagDuration,
						o.lagRates, o.restoreMib, o.restoreSegments, o.snapshotMib, o.snapshotHeap, o.idleDuration,
						positive(arg, v));
				default -> throw new IllegalArgumentException("Unknown option " + arg + "\n" + USAGE);
			};
		}
		return o;
	}

	private static Set<String> scenarios(String list) {
		Set<String> chosen = new LinkedHashSet<>();
		for (String name : list.split(",")) {
			if (!ALL.contains(name.trim())) {
				throw new IllegalArgumentException("Unknown scenario '" + name + "': choose from " + ALL);
			}
			chosen.add(name.trim());
		}
		return chosen;
	}

	private static List<Integer> rates(String list) {
		return java.util.Arrays.stream(list.split(",")).map((rate) -> positive("--lag-rates", rate.trim())).toList();
	}

	private static Duration seconds(String value) {
		return Duration.ofMillis((long) (Double.parseDouble(value) * 1000));
	}

	private static int positive(String option, String value) {
		int n = Integer.parseInt(value);
		if (n < 1) {
			throw new IllegalArgumentException(option + " must be at least 1, not " + value);
		}
		return n;
	}

}

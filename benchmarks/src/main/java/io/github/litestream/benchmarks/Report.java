package io.github.litestream.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a harness run measured: raw measurements (one CSV row each) and, per scenario, a verdict
 * against its target. Written as {@code report.md} and {@code report.csv}.
 */
final class Report {

	private final List<Measurement> measurements = new ArrayList<>();

	private final List<Verdict> verdicts = new ArrayList<>();

	private final Map<String, List<String>> notes = new LinkedHashMap<>();

	private final Map<String, BarChart> charts = new LinkedHashMap<>();

	private final String commandLine;

	private int failures;

	private final Instant startedAt = Instant.now();

	Report(String commandLine) {
		this.commandLine = commandLine;
	}

	synchronized void measure(String scenario, String variant, String metric, double value, String unit) {
		this.measurements.add(new Measurement(scenario, variant, metric, value, unit));
		System.out.printf(Locale.ROOT, "  %-10s %-28s %-26s %14s %s%n", scenario, variant, metric, format(value), unit);
	}

	synchronized void verdict(String scenario, String claim, String measured, String target, boolean met) {
		this.verdicts.add(new Verdict(scenario, claim, measured, target, met));
		System.out.printf(Locale.ROOT, "  => %s: %s = %s (target %s) %s%n", scenario, claim, measured, target,
				met ? "MET" : "MISSED");
	}

	synchronized void note(String scenario, String note) {
		this.notes.computeIfAbsent(scenario, (key) -> new ArrayList<>()).add(note);
		System.out.println("  note: " + note);
	}

	/**
	 * Adds a chart, written as {@code <name>.png} next to the report and shown in it.
	 */
	synchronized void chart(String name, BarChart chart) {
		this.charts.put(name, chart);
	}

	synchronized void failed(String scenario, Exception ex) {
		this.failures++;
		verdict(scenario, "scenario ran", "failed: " + ex, "runs", false);
	}

	synchronized int failures() {
		return this.failures;
	}

	synchronized void write(Path dir) throws IOException {
		Files.createDirectories(dir);
		StringBuilder csv = new StringBuilder("scenario,variant,metric,value,unit\n");
		for (Measurement m : this.measurements) {
			csv.append(String.join(",", m.scenario, quote(m.variant), m.metric, format(m.value), m.unit)).append('\n');
		}
		Files.writeString(dir.resolve("report.csv"), csv);
		for (Map.Entry<String, BarChart> chart : this.charts.entrySet()) {
			chart.getValue().write(dir.resolve(chart.getKey() + ".png"));
		}
		Files.writeString(dir.resolve("report.md"), markdown());
	}

	private String markdown() {
		StringBuilder md = new StringBuilder("# Benchmark report\n\n");
		md.append("- Started: ").append(this.startedAt).append('\n');
		md.append("- Command: `").append(this.commandLine).append("`\n");
		md.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
			.append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch")).append(", Java ")
			.append(System.getProperty("java.vm.version")).append(" (").append(System.getProperty("java.vm.name"))
			.append("), max heap ").append(Runtime.getRuntime().maxMemory() >> 20).append(" MiB, load average at end ")
			.append(String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()))
			.append("\n\n## Verdicts\n\n| Scenario | Claim | Measured | Target | |\n|---|---|---|---|---|\n");
		for (Verdict v : this.verdicts) {
			md.append("| ").append(v.scenario).append(" | ").append(v.claim).append(" | ").append(v.measured).append(" | ")
				.append(v.target).append(" | ").append(v.met ? "met" : "**missed**").append(" |\n");
		}
		if (!this.charts.isEmpty()) {
			md.append("\n## Charts\n\n");
			this.charts.keySet().forEach((name) -> md.append("![").append(name).append("](").append(name).append(".png)\n\n"));
		}
		md.append("\n## Measurements\n\n| Scenario | Variant | Metric | Value | Unit |\n|---|---|---|---:|---|\n");
		for (Measurement m : this.measurements) {
			md.append("| ").append(m.scenario).append(" | ").append(m.variant).append(" | ").append(m.metric).append(" | ")
				.append(format(m.value)).append(" | ").append(m.unit).append(" |\n");
		}
		if (!this.notes.isEmpty()) {
			md.append("\n## Notes\n\n");
			this.notes.forEach((scenario, list) -> list.forEach((note) -> md.append("- ").append(scenario).append(": ")
				.append(note).append('\n')));
		}
		return md.toString();
	}

	static String format(double value) {
		if (value == Math.rint(value) && Math.abs(value) < 1e15) {
			return Long.toString((long) value);
		}
		return String.format(Locale.ROOT, (Math.abs(value) >= 100) ? "%.1f" : "%.3f", value);
	}

	private static String quote(String text) {
		return text.contains(",") ? '"' + text.replace("\"", "\"\"") + '"' : text;
	}

	private record Measurement(String scenario, String variant, String metric, double value, String unit) {
	}

	private record Verdict(String scenario, String claim, String measured, String target, boolean met) {
	}

}

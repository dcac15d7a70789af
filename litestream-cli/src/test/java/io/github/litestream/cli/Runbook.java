package io.github.litestream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fenced blocks of docs/runbook.md by section ({@code ## } heading), in order: the
 * {@code sh} blocks are run as written; a plain block right after one is the output it shows.
 */
final class Runbook {

	private final Map<String, List<Block>> sections;

	private Runbook(Map<String, List<Block>> sections) {
		this.sections = sections;
	}

	static Path file() {
		return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("../docs/runbook.md").normalize();
	}

	static Runbook read() throws IOException {
		Map<String, List<Block>> sections = new LinkedHashMap<>();
		String section = "";
		String language = null;
		StringBuilder text = null;
		for (String line : Files.readAllLines(file())) {
			if (text == null && line.startsWith("## ")) {
				section = line.substring(3).trim();
			}
			else if (text == null && line.startsWith("```")) {
				language = line.substring(3).trim();
				text = new StringBuilder();
			}
			else if (text != null && line.equals("```")) {
				sections.computeIfAbsent(section, (name) -> new ArrayList<>()).add(new Block(language, text.toString()));
				text = null;
			}
			else if (text != null) {
				text.append(line).append('\n');
			}
		}
		return new Runbook(sections);
	}

	/**
	 * The sections that hold commands to run.
	 * @return their headings, in order
	 */
	List<String> sectionsWithCommands() {
		return this.sections.entrySet()
			.stream()
			.filter((entry) -> entry.getValue().stream().anyMatch(Block::isCommands))
			.map(Map.Entry::getKey)
			.toList();
	}

	List<Block> blocks(String section) {
		return this.sections.getOrDefault(section, List.of());
	}

	/** The one block of a language, such as the configuration's {@code yaml}. */
	Block only(String language) {
		List<Block> blocks = this.sections.values()
			.stream()
			.flatMap(List::stream)
			.filter((block) -> block.language().equals(language))
			.toList();
		if (blocks.size() != 1) {
			throw new IllegalStateException("runbook.md has " + blocks.size() + " " + language + " blocks, not 1");
		}
		return blocks.get(0);
	}

	/**
	 * One fenced block.
	 *
	 * @param language its info string: {@code sh} for commands, empty for output
	 * @param text its lines
	 */
	record Block(String language, String text) {

		boolean isCommands() {
			return this.language.equals("sh");
		}

		boolean isOutput() {
			return this.language.isEmpty();
		}

	}

}

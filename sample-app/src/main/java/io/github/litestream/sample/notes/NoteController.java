package io.github.litestream.sample.notes;

import java.net.URI;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.util.StringUtils;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The notes API: create, list, get and delete.
 */
@RestController
@RequestMapping("/notes")
class NoteController {

	private final NoteRepository notes;

	NoteController(NoteRepository notes) {
		this.notes = notes;
	}

	@PostMapping
	ResponseEntity<Note> create(@RequestBody NewNote request) {
		if (request == null || !StringUtils.hasText(request.title())) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "A note needs a non-empty \"title\"");
		}
		Note note = this.notes.create(request.title(), (request.body() != null) ? request.body() : "");
		return ResponseEntity.created(URI.create("/notes/" + note.id())).body(note);
	}

	@GetMapping
	List<Note> list() {
		return this.notes.findAll();
	}

	@GetMapping("/{id}")
	Note get(@PathVariable long id) {
		return this.notes.findById(id).orElseThrow(() -> notFound(id));
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable long id) {
		if (!this.notes.delete(id)) {
			throw notFound(id);
		}
		return ResponseEntity.noContent().build();
	}

	private static ResponseStatusException notFound(long id) {
		return new ResponseStatusException(HttpStatus.NOT_FOUND, "There is no note " + id);
	}

}

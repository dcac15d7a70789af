package io.github.litestream.sample.notes;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Notes in the {@code note} table, through plain SQL. Nothing here knows about replication:
 * the starter replicates every committed transaction of the application's SQLite DataSource.
 */
@Repository
public class NoteRepository {

	private final JdbcClient jdbc;

	NoteRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Stores a new note.
	 * @param title the title
	 * @param body the text
	 * @return the stored note with its id
	 */
	public Note create(String title, String body) {
		Instant now = Instant.now();
		long id = this.jdbc.sql("INSERT INTO note (title, body, created_at) VALUES (?, ?, ?) RETURNING id")
			.params(title, body, now.toString())
			.query(Long.class)
			.single();
		return new Note(id, title, body, now);
	}

	/**
	 * All notes, oldest first.
	 * @return the notes
	 */
	public List<Note> findAll() {
		return this.jdbc.sql("SELECT id, title, body, created_at FROM note ORDER BY id").query(this::note).list();
	}

	/**
	 * One note.
	 * @param id the note's id
	 * @return the note, or empty if there is none with that id
	 */
	public Optional<Note> findById(long id) {
		return this.jdbc.sql("SELECT id, title, body, created_at FROM note WHERE id = ?")
			.param(id)
			.query(this::note)
			.optional();
	}

	/**
	 * Deletes a note.
	 * @param id the note's id
	 * @return whether a note was deleted
	 */
	public boolean delete(long id) {
		return this.jdbc.sql("DELETE FROM note WHERE id = ?").param(id).update() > 0;
	}

	private Note note(ResultSet row, int rowNum) throws SQLException {
		return new Note(row.getLong("id"), row.getString("title"), row.getString("body"),
				Instant.parse(row.getString("created_at")));
	}

}

package io.github.litestream.sample.notes;

import java.time.Instant;

/**
 * A note as the API returns it.
 *
 * @param id the note's id, assigned by the database
 * @param title the title
 * @param body the text
 * @param createdAt when the note was created
 */
public record Note(long id, String title, String body, Instant createdAt) {

}

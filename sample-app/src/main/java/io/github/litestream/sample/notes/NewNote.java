package io.github.litestream.sample.notes;

/**
 * The body of a request that creates a note.
 *
 * @param title the title, required
 * @param body the text, optional
 */
public record NewNote(String title, String body) {

}

package io.github.litestream.restore;

/**
 * STAND-IN for the restore helper's type; replace on merge.
 */
public record RestoreResult() {
}

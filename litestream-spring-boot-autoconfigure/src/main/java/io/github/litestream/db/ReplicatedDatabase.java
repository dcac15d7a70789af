package io.github.litestream.db;

/**
 * STAND-IN for the lead's planned type; replace on merge.
 */
public class ReplicatedDatabase {

}

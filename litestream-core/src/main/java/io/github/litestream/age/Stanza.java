package io.github.litestream.age;

import java.util.List;

/**
 * One recipient stanza of an age header: {@code -> type args…} and a body.
 *
 * @param type the first argument, such as {@code X25519}
 * @param args the other arguments
 * @param body the decoded body
 */
record Stanza(String type, List<String> args, byte[] body) {

}

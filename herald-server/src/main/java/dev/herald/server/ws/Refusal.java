package dev.herald.server.ws;

import dev.herald.server.http.Problem;
import java.util.Optional;

/**
 * A command refused with a problem: answered with an {@code error} frame naming the command, and the connection
 * stays open. No stack trace: it is the client's mistake, not a bug.
 */
final class Refusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Which command an error answers: {@code "sub"} and the subscription id, or {@code "ref"} and the publish's
     * ref; no name when the command carried no valid one.
     */
    record About(String field, Optional<String> name) {
        static final About NOTHING = new About("ref", Optional.empty());

        static About sub(String id) {
            return new About("sub", Optional.of(id));
        }

        static About ref(String ref) {
            return ref.isEmpty() ? NOTHING : new About("ref", Optional.of(ref));
        }
    }

    private final transient About about;
    private final transient Problem problem;

    Refusal(About about, Problem problem) {
        super(problem.detail(), null, false, false);
        this.about = about;
        this.problem = problem;
    }

    About about() {
        return about;
    }

    Problem problem() {
        return problem;
    }
}

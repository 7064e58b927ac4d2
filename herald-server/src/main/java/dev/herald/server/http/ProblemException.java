package dev.herald.server.http;

/** Carries a {@link Problem} out of a parser to the endpoint that answers it. No stack trace: it is not a bug. */
public final class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}

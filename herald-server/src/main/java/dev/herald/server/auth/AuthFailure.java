package dev.herald.server.auth;

/**
 * Why credentials were refused, in terms the client can act on. The reason never says how close a forged
 * signature came.
 */
public record AuthFailure(Reason reason, String detail) {
    /** The kinds of refusal; each is a problem type of its own. */
    public enum Reason {
        MALFORMED("malformed-credentials"),
        UNKNOWN_KEY("unknown-app-key"),
        EXPIRED("expired"),
        NOT_YET_VALID("not-yet-valid"),
        SIGNATURE_MISMATCH("signature-mismatch"),
        REPLAYED("replayed"),
        UNSUPPORTED("unsupported-credentials");

        private final String type;

        Reason(String type) {
            this.type = type;
        }

        /** The problem type slug. */
        public String type() {
            return type;
        }
    }
}

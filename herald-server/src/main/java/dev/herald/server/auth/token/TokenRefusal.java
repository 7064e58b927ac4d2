package dev.herald.server.auth.token;

import dev.herald.server.auth.AuthFailure;

/** A token refused while it is read; carries the failure the verifier answers with. No stack trace: not a bug. */
final class TokenRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient AuthFailure failure;

    TokenRefusal(AuthFailure.Reason reason, String detail) {
        super(detail, null, false, false);
        this.failure = new AuthFailure(reason, detail);
    }

    AuthFailure failure() {
        return failure;
    }
}

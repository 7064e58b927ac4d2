package dev.herald.server.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenSourcesTest {
    private static Optional<String> find(String uri, String... headers) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        return TokenSources.find(request, new QueryStringDecoder(uri));
    }

    @Test
    void namesAreTheDocumentedOnes() {
        assertThat(TokenSources.COOKIE).isEqualTo("herald_token");
        assertThat(TokenSources.QUERY_PARAMETER).isEqualTo("access_token");
    }

    @Test
    void bearerHeaderComesFirst() {
        assertThat(find("/sse?access_token=from-query", "Authorization", "Bearer from-header", "Cookie",
                "herald_token=from-cookie")).contains("from-header");
    }

    @Test
    void queryParameterComesBeforeTheCookie() {
        assertThat(find("/sse?topic=chat&access_token=from-query", "Cookie", "herald_token=from-cookie"))
                .contains("from-query");
    }

    @Test
    void cookieComesLast() {
        assertThat(find("/sse?topic=chat", "Cookie", "theme=dark; herald_token=from-cookie; lang=en"))
                .contains("from-cookie");
    }

    @Test
    void cookieInASecondCookieHeaderIsFound() {
        assertThat(find("/sse", "Cookie", "theme=dark", "Cookie", "herald_token=from-cookie"))
                .contains("from-cookie");
    }

    @Test
    void nothingIsNoToken() {
        assertThat(find("/sse?topic=chat", "Cookie", "theme=dark")).isEmpty();
        assertThat(find("/sse")).isEmpty();
    }

    @Test
    void schemeIsCaseInsensitiveAndTheTokenTrimmed() {
        assertThat(find("/", "Authorization", "bearer   a.b.c  ")).contains("a.b.c");
        assertThat(find("/", "Authorization", "BEARER a.b.c")).contains("a.b.c");
    }

    @Test
    void anotherSchemeIsNoTokenEvenWithAQueryOrCookie() {
        // The signature verifier handles SDK-HMAC-SHA256; a request has one credential.
        assertThat(find("/publish?access_token=q", "Authorization",
                "SDK-HMAC-SHA256 Credential=chat-app-key, Signature=abc", "Cookie", "herald_token=c")).isEmpty();
        assertThat(find("/", "Authorization", "Basic YWxpY2U6c2VjcmV0")).isEmpty();
        assertThat(find("/", "Authorization", "Bearerish a.b.c")).isEmpty();
    }

    @Test
    void presentButEmptyIsAnEmptyTokenForTheVerifierToRefuse() {
        assertThat(find("/", "Authorization", "Bearer")).contains("");
        assertThat(find("/", "Authorization", "Bearer   ")).contains("");
        assertThat(find("/sse?access_token=")).contains("");
        assertThat(find("/sse", "Cookie", "herald_token=")).contains("");
    }

    @Test
    void firstOfRepeatedValuesCounts() {
        assertThat(find("/sse?access_token=one&access_token=two")).contains("one");
        assertThat(find("/sse", "Cookie", "herald_token=one; herald_token=two")).contains("one");
    }

    @Test
    void queryValueIsDecoded() {
        assertThat(find("/sse?access_token=a.b%2Dc")).contains("a.b-c");
    }

    @Test
    void cookieValueMayBeQuoted() {
        assertThat(find("/sse", "Cookie", "herald_token=\"a.b.c\"")).contains("a.b.c");
    }
}

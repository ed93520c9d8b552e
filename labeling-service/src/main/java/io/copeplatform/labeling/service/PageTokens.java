package io.copeplatform.labeling.service;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.LabelingException;

/**
 * Opaque page tokens: the list they belong to (with its filters) and a cursor, so a token replayed against another list
 * is refused (INVALID_PAGE_TOKEN) instead of silently returning the wrong page.
 */
final class PageTokens {

    private PageTokens() {
    }

    static String encode(String scope, String cursor) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((scope + "\n" + cursor).getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor of {@code token}; {@code first} for an empty token. */
    static String decode(String token, String scope, String first) {
        if (token == null || token.isEmpty()) {
            return first;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int newline = decoded.indexOf('\n');
            if (newline < 0 || !decoded.substring(0, newline).equals(scope)) {
                throw invalid();
            }
            return decoded.substring(newline + 1);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
    }

    static long decodeLong(String token, String scope) {
        try {
            return Long.parseLong(decode(token, scope, "0"));
        } catch (NumberFormatException e) {
            throw invalid();
        }
    }

    private static LabelingException invalid() {
        return LabelingException.invalid(ErrorReason.INVALID_PAGE_TOKEN, "page_token",
                "was not issued for this request");
    }
}

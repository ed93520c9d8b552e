package io.copeplatform.review.service;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.copeplatform.review.domain.ErrorReason;
import io.copeplatform.review.domain.ReviewException;

/**
 * Opaque keyset page tokens bound to the request's filters: {@code base64url(position ":" hash(filters))}. A token of
 * another request (or a forged one) is INVALID_PAGE_TOKEN.
 */
final class PageTokens {

    private PageTokens() {
    }

    static String encode(long position, String filters) {
        String raw = position + ":" + Integer.toHexString(filters.hashCode());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** The position of {@code token}, or {@code first} for an empty token. */
    static long decode(String token, String filters, long first) {
        if (token == null || token.isEmpty()) {
            return first;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            if (colon > 0 && raw.substring(colon + 1).equals(Integer.toHexString(filters.hashCode()))) {
                return Long.parseLong(raw.substring(0, colon));
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below
        }
        throw ReviewException.invalidField(ErrorReason.INVALID_PAGE_TOKEN, "page_token",
                "was not issued for this request");
    }
}

package io.copeplatform.registry.service;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.copeplatform.registry.domain.ErrorReason;
import io.copeplatform.registry.domain.RegistryException;

/**
 * Keyset page tokens: the last key of a page, bound to the list it came from, base64url-encoded. Opaque to clients; a
 * token from another list (or a forged one) is refused with INVALID_PAGE_TOKEN.
 */
final class PageTokens {

    private PageTokens() {
    }

    static String encode(String scope, String lastKey) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((scope + "\n" + lastKey).getBytes(StandardCharsets.UTF_8));
    }

    /** The last key of the previous page, or null for the first page. */
    static String decode(String scope, String token) {
        if (token == null || token.isEmpty()) {
            return null;
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

    static int decodeInt(String scope, String token) {
        String key = decode(scope, token);
        if (key == null) {
            return 0;
        }
        try {
            return Integer.parseInt(key);
        } catch (NumberFormatException e) {
            throw invalid();
        }
    }

    private static RegistryException invalid() {
        return RegistryException.invalidField(ErrorReason.INVALID_PAGE_TOKEN, "page_token",
                "was not issued for this list; start again without a page_token");
    }
}

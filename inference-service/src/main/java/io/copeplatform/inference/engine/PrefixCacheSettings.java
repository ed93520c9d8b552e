package io.copeplatform.inference.engine;

/**
 * The policy-prefix KV cache.
 *
 * @param enabled
 *            reuse the past of a policy's prompt prefix (only where the graph has past-key-values inputs)
 * @param budgetBytes
 *            most bytes of cached pasts (pinned live versions may exceed it; unpinned ones are evicted first)
 */
public record PrefixCacheSettings(boolean enabled, long budgetBytes) {

    public PrefixCacheSettings {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("prefix cache budget must be >= 0 bytes");
        }
    }

    public static PrefixCacheSettings disabled() {
        return new PrefixCacheSettings(false, 0);
    }

    public static PrefixCacheSettings enabled(long budgetBytes) {
        return new PrefixCacheSettings(true, budgetBytes);
    }
}

package io.copeplatform.inference.engine;

/**
 * One classification request to the engine.
 *
 * @param policy
 *            the policy text, inserted verbatim
 * @param content
 *            the content, inserted verbatim
 * @param threshold
 *            decision threshold on P("1")
 * @param allowContentTruncation
 *            cut the content from its end when the prompt exceeds the context
 * @param deadlineNanos
 *            {@link System#nanoTime()} instant after which the request is dropped before compute
 */
public record ClassifyInput(String policy, String content, double threshold, boolean allowContentTruncation,
        long deadlineNanos) {
}

package io.copeplatform.labeling.domain;

/**
 * An "eye": answers whether a content meets a policy's criteria. Implementations own their retries and limits and never
 * throw for a single item: a failure is an {@link Answer} with outcome FAILED. Thread-safe.
 */
public interface Labeler extends AutoCloseable {

    Answer label(String policyText, String content, UsageMeter meter);

    /** e.g. "chat-completions:gpt-4o-mini" or "cope:cope-a-9b". */
    String description();

    @Override
    default void close() {
    }
}

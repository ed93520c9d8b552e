package io.copeplatform.inference.engine;

/**
 * A prompt format a model family was trained on. The policy comes first, so {@link #prefix(String)} depends only on the
 * policy; {@code prefix(policy) + suffix(content)} is always exactly {@link #render(String, String)}.
 */
public interface PromptTemplate {

    /** The id a model manifest names (e.g. {@code cope-a-v1}). */
    String id();

    /** The whole prompt, byte-exact. */
    String render(String policy, String content);

    /** The part of the prompt before the content's section: a pure function of the policy. */
    String prefix(String policy);

    /** The rest of the prompt. */
    String suffix(String content);
}

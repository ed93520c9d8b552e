package io.copeplatform.labeling.domain;

/** How to generate wording B with an LLM. {@code targetPolicyId} blank: server-chosen. */
public record ParaphraseSpec(LlmEndpoint llm, String instructions, String targetPolicyId) {
}

package io.copeplatform.labeling.service;

import java.util.List;

import io.copeplatform.labeling.domain.LlmEndpoint;
import io.copeplatform.labeling.domain.ReviewFinding;
import io.copeplatform.labeling.domain.UsageMeter;

/** LLM rewriting of policy texts (paraphrase and refine); implemented by client/. */
public interface PolicyRewriter {

    /** A semantically equivalent, differently worded policy in the same CoPE structure. */
    String paraphrase(LlmEndpoint llm, String policyText, String instructions, UsageMeter meter);

    /** A revision of {@code policyText} that removes the ambiguities the reviewers' findings point at. */
    String refine(LlmEndpoint llm, String policyText, List<ReviewFinding> findings, UsageMeter meter);
}

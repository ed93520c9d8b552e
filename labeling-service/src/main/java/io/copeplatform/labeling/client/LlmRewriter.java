package io.copeplatform.labeling.client;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.labeling.config.LabelingConfig;
import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.domain.LlmEndpoint;
import io.copeplatform.labeling.domain.ReviewFinding;
import io.copeplatform.labeling.domain.UsageMeter;
import io.copeplatform.labeling.service.PolicyRewriter;

/** Paraphrase and refine prompts over Chat Completions. Both must keep the CoPE policy structure. */
@ApplicationScoped
public class LlmRewriter implements PolicyRewriter {

    static final String STRUCTURE = "Keep the CoPE policy structure exactly: the same Markdown headings in the same "
            + "order (title, Overview, Definition of Terms, Interpretation of Language, Definition of Labels), the "
            + "same label ids such as (SP1), and every label's Includes and Excludes sections. Keep defined terms "
            + "in **bold**. Reply with the policy text only, no commentary and no code fences.";
    static final String PARAPHRASE_PROMPT = "PARAPHRASE TASK. You rewrite content moderation policies. Rewrite the "
            + "POLICY in the user message so that it means exactly the same thing, sentence for sentence, but uses "
            + "different wording wherever possible. Do not add, remove, narrow or widen any criterion. " + STRUCTURE;
    static final String REFINE_PROMPT = "REFINE TASK. You revise content moderation policies. Two equivalent "
            + "wordings of the POLICY labeled some contents differently, and human reviewers marked the clauses that "
            + "caused it. Revise the POLICY so that those clauses can be read only one way, following the reviewers' "
            + "correct labels and notes. Change as little as possible. " + STRUCTURE;

    private final LabelingConfig config;
    private final LlmEndpoints endpoints;

    public LlmRewriter(LabelingConfig config, LlmEndpoints endpoints) {
        this.config = config;
        this.endpoints = endpoints;
    }

    @Override
    public String paraphrase(LlmEndpoint llm, String policyText, String instructions, UsageMeter meter) {
        String user = "POLICY\n======\n\n" + policyText
                + (instructions == null || instructions.isBlank()
                        ? ""
                        : "\n\n\nEXTRA INSTRUCTIONS\n==================\n\n"
                                + instructions);
        return rewrite(llm, PARAPHRASE_PROMPT, user, meter);
    }

    @Override
    public String refine(LlmEndpoint llm, String policyText, List<ReviewFinding> findings, UsageMeter meter) {
        StringBuilder user = new StringBuilder("POLICY\n======\n\n").append(policyText)
                .append("\n\n\nREVIEWER FINDINGS\n=================\n");
        for (ReviewFinding f : findings) {
            user.append("\n- correct label: ").append(f.label() ? "1" : "0")
                    .append("; correct wording: ").append(f.correctVersion());
            if (f.clauseText() != null && !f.clauseText().isBlank()) {
                user.append("; ambiguous clause (wording ").append(f.clauseSide()).append("): \"")
                        .append(f.clauseText()).append('"');
            }
            if (!f.note().isBlank()) {
                user.append("; note: ").append(f.note());
            }
        }
        return rewrite(llm, REFINE_PROMPT, user.toString(), meter);
    }

    private String rewrite(LlmEndpoint llm, String system, String user, UsageMeter meter) {
        ChatCompletionsClient.Endpoint endpoint = endpoints.resolve(llm, config.llm().rewriteMaxTokens(),
                config.llm().rewriteTimeout());
        ChatCompletionsClient client = endpoints.client(endpoint, 0, config.limits().defaultMaxRetries());
        try {
            String text = client.complete(List.of(new ChatCompletionsClient.Message("system", system),
                    new ChatCompletionsClient.Message("user", user)), false, meter).content();
            return stripFences(text).strip();
        } catch (ChatCompletionsClient.CallFailedException e) {
            throw new LabelingException(ErrorReason.INVALID_LABELER_CONFIG, "LLM_UNAVAILABLE: " + e.getMessage());
        }
    }

    /** Models often wrap a document in a Markdown code fence despite being told not to. */
    static String stripFences(String text) {
        String t = text.strip();
        if (t.startsWith("```") && t.endsWith("```") && t.length() > 6) {
            int newline = t.indexOf('\n');
            return newline < 0 ? t : t.substring(newline + 1, t.length() - 3);
        }
        return t;
    }
}

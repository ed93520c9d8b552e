package io.copeplatform.labeling.domain;

/**
 * The CoPE-A prompt (ARCHITECTURE.md, authoritative): the policy before the content, answer "1" or "0". LLM labelers
 * get the same text as the user message, so both kinds of eyes read the same question.
 */
public final class PromptTemplate {

    public static final String COPE_A = "INSTRUCTIONS\n============\n\nExamine the given POLICY and determine if the given "
            + "CONTENT meets the criteria for ANY of the LABELS. Answer \"1\" if yes, and \"0\" if no.\n\n\n"
            + "POLICY\n======\n\n{policy}\n\n\nCONTENT\n=======\n\n{content}\n\n\nANSWER\n======\n\n";

    private PromptTemplate() {
    }

    public static String copeA(String policy, String content) {
        // Two replacements in order; a policy containing "{content}" must not be substituted into.
        int policyAt = COPE_A.indexOf("{policy}");
        int contentAt = COPE_A.indexOf("{content}");
        return COPE_A.substring(0, policyAt) + policy + COPE_A.substring(policyAt + 8, contentAt) + content
                + COPE_A.substring(contentAt + 9);
    }
}

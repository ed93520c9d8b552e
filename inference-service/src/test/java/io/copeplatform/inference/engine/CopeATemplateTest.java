package io.copeplatform.inference.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CopeATemplateTest {

    /** The authoritative escaped string of ARCHITECTURE.md, copied character for character. */
    private static final String AUTHORITATIVE = "INSTRUCTIONS\n============\n\nExamine the given POLICY and determine if "
            + "the given CONTENT meets the criteria for ANY of the LABELS. Answer \"1\" if yes, and \"0\" if no.\n\n\n"
            + "POLICY\n======\n\n{policy}\n\n\nCONTENT\n=======\n\n{content}\n\n\nANSWER\n======\n\n";

    private final CopeATemplate template = new CopeATemplate();

    @Test
    void rendersTheTemplateByteForByte() {
        assertEquals(AUTHORITATIVE, template.render("{policy}", "{content}"));
    }

    @Test
    void insertsPolicyAndContentVerbatim() {
        String policy = "  ## Policy\n\twith {braces}, $1 and \\n literally ";
        String content = "\n\ncontent ends with spaces   ";
        assertEquals(AUTHORITATIVE.replace("{policy}", policy).replace("{content}", content),
                template.render(policy, content));
    }

    @Test
    void prefixPlusSuffixIsTheWholePromptAndThePrefixDependsOnlyOnThePolicy() {
        assertEquals(template.render("P", "C"), template.prefix("P") + template.suffix("C"));
        assertEquals(AUTHORITATIVE.substring(0, AUTHORITATIVE.indexOf("CONTENT\n=")).replace("{policy}", "P"),
                template.prefix("P"));
    }
}

package io.copeplatform.inference.engine;

import java.util.Map;

/** The prompt templates this engine knows, by manifest id. A new model family adds one here. */
public final class PromptTemplates {

    private static final Map<String, PromptTemplate> BY_ID = Map.of(CopeATemplate.ID, new CopeATemplate());

    private PromptTemplates() {
    }

    public static PromptTemplate byId(String id) {
        PromptTemplate template = BY_ID.get(id);
        if (template == null) {
            throw new ModelLoadException("Unknown prompt_template_id '" + id + "'; known: " + BY_ID.keySet());
        }
        return template;
    }
}

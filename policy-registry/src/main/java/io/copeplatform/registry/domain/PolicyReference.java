package io.copeplatform.registry.domain;

/** What a reference points at: a numbered version, an alias, or the draft. */
public sealed interface PolicyReference {

    String policyId();

    /** {@code policies/{policy}/versions/{version}}. */
    record Version(String policyId, int version) implements PolicyReference {
    }

    /** {@code policies/{policy}@live}: the deployed version. */
    record Live(String policyId) implements PolicyReference {
    }

    /** {@code policies/{policy}@latest}: the highest published version. */
    record Latest(String policyId) implements PolicyReference {
    }

    /** {@code policies/{policy}/draft}: the editable draft (diff only). */
    record Draft(String policyId) implements PolicyReference {
    }
}

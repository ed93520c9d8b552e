package io.copeplatform.registry.lint;

/**
 * How much a lint finding matters. ERROR findings block publishing (the registry's publish gate), WARNING findings
 * point at wording that makes CoPE's decisions less predictable, INFO findings are suggestions.
 */
public enum LintSeverity {
    /** The policy cannot work as written; publishing is refused. */
    ERROR,
    /** The policy works but a reviewer should fix this before relying on it. */
    WARNING,
    /** A suggestion that does not change how the policy is applied. */
    INFO
}

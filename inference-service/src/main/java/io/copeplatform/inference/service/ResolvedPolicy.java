package io.copeplatform.inference.service;

/**
 * A policy reference resolved by policy-registry: the exact text to classify against and its decision threshold.
 *
 * @param reference
 *            what the caller asked for (e.g. {@code policies/spam@live})
 * @param policyVersion
 *            the version it resolved to ({@code policies/spam/versions/3})
 * @param threshold
 *            the live deployment's threshold when {@code live}, else the registry's default
 */
public record ResolvedPolicy(String reference, String policyVersion, String text, String textSha256,
        double threshold, boolean live, boolean deprecated) {

    /** The {@code policies/{policy}} part of a reference or version name. */
    public static String policyIdOf(String referenceOrName) {
        String rest = referenceOrName.startsWith("policies/")
                ? referenceOrName.substring("policies/".length())
                : referenceOrName;
        int end = 0;
        while (end < rest.length() && rest.charAt(end) != '/' && rest.charAt(end) != '@') {
            end++;
        }
        return rest.substring(0, end);
    }
}

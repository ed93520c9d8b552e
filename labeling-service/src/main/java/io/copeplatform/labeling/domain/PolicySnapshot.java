package io.copeplatform.labeling.domain;

/**
 * The exact policy text a wording used: a published version ({@code version} set) or a draft ({@code draftEtag} set).
 */
public record PolicySnapshot(String policy, String version, String draftEtag, String text, String sha256) {
}

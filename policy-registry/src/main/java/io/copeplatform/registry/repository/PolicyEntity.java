package io.copeplatform.registry.repository;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A policy row: metadata, the editable draft, the aliases and the publish gate. */
@Entity
@Table(name = "policies")
public class PolicyEntity extends PanacheEntityBase {

    @Id
    public String id;
    @Column(name = "display_name")
    public String displayName;
    public String description;
    /** Comma-separated slugs (tags are validated slugs, so no escaping is needed). */
    public String tags;
    public String creator;
    @Column(name = "create_time")
    public OffsetDateTime createTime;
    @Column(name = "update_time")
    public OffsetDateTime updateTime;
    @Column(name = "delete_time")
    public OffsetDateTime deleteTime;
    /** Bumped on every metadata change; the policy etag. */
    public long revision;

    @Column(name = "draft_text")
    public String draftText;
    @Column(name = "draft_sha256")
    public String draftSha256;
    /** Bumped on every draft change; the draft etag. */
    @Column(name = "draft_revision")
    public long draftRevision;
    @Column(name = "draft_note")
    public String draftNote;
    @Column(name = "draft_updater")
    public String draftUpdater;
    @Column(name = "draft_update_time")
    public OffsetDateTime draftUpdateTime;
    @Column(name = "draft_base_version")
    public Integer draftBaseVersion;
    @Column(name = "draft_base_sha256")
    public String draftBaseSha256;
    @Column(name = "draft_lint_report")
    public String draftLintReport;

    @Column(name = "latest_version")
    public int latestVersion;
    @Column(name = "live_version")
    public Integer liveVersion;
    @Column(name = "live_threshold")
    public Double liveThreshold;
    @Column(name = "deployment_count")
    public int deploymentCount;

    @Column(name = "allow_publish_with_lint_errors")
    public boolean allowPublishWithLintErrors;
    @Column(name = "min_determinism_agreement")
    public Double minDeterminismAgreement;
    @Column(name = "min_determinism_kappa")
    public Double minDeterminismKappa;

    public List<String> tagList() {
        return tags == null || tags.isEmpty() ? List.of() : Arrays.asList(tags.split(","));
    }

    public void setTagList(List<String> values) {
        tags = String.join(",", values);
    }

    public boolean isDeleted() {
        return deleteTime != null;
    }

    public String etag() {
        return "p" + revision;
    }

    /** True when the draft differs from the version it was last published as (or was never published). */
    public boolean hasUnpublishedChanges() {
        return draftBaseSha256 == null || !draftBaseSha256.equals(draftSha256);
    }

    public String draftEtag() {
        return "d" + draftRevision;
    }
}

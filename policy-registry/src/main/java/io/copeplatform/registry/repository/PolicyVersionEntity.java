package io.copeplatform.registry.repository;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A published version: immutable (a database trigger refuses content changes); only deprecation may change. */
@Entity
@Table(name = "policy_versions")
public class PolicyVersionEntity extends PanacheEntityBase {

    public static final String ACTIVE = "ACTIVE";
    public static final String DEPRECATED = "DEPRECATED";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "policy_id")
    public String policyId;
    public int version;
    public String text;
    public String sha256;
    public String changelog;
    public String author;
    @Column(name = "parent_version")
    public Integer parentVersion;
    @Column(name = "paraphrase_of")
    public String paraphraseOf;
    @Column(name = "lint_report")
    public String lintReport;
    @Column(name = "create_time")
    public OffsetDateTime createTime;
    public String state;
    @Column(name = "deprecate_time")
    public OffsetDateTime deprecateTime;
    @Column(name = "deprecation_reason")
    public String deprecationReason;

    public boolean isDeprecated() {
        return DEPRECATED.equals(state);
    }
}

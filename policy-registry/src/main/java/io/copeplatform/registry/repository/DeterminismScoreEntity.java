package io.copeplatform.registry.repository;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A determinism score (binocular agreement) recorded on a version by labeling-service; newest wins. */
@Entity
@Table(name = "determinism_scores")
public class DeterminismScoreEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "policy_id")
    public String policyId;
    public int version;
    @Column(name = "percent_agreement")
    public double percentAgreement;
    @Column(name = "cohens_kappa")
    public Double cohensKappa;
    @Column(name = "kappa_ci_lower")
    public Double kappaCiLower;
    @Column(name = "kappa_ci_upper")
    public Double kappaCiUpper;
    @Column(name = "kappa_ci_level")
    public Double kappaCiLevel;
    @Column(name = "sample_size")
    public long sampleSize;
    public String job;
    public int iteration;
    @Column(name = "paraphrase_version")
    public String paraphraseVersion;
    public String labeler;
    @Column(name = "record_time")
    public OffsetDateTime recordTime;
}

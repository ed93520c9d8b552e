package io.copeplatform.registry.repository;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** An evaluation result (model + threshold against gold labels) recorded on a version. */
@Entity
@Table(name = "evaluation_scores")
public class EvaluationScoreEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "policy_id")
    public String policyId;
    public int version;
    @Column(name = "precision_score")
    public double precision;
    public double recall;
    public double f1;
    public double accuracy;
    public String model;
    @Column(name = "model_version")
    public String modelVersion;
    public double threshold;
    @Column(name = "sample_size")
    public long sampleSize;
    public String evaluation;
    public String dataset;
    @Column(name = "record_time")
    public OffsetDateTime recordTime;
}

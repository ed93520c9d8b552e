package io.copeplatform.registry.repository;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** One move of the {@code live} alias (deploy, rollback or undeploy); the history is append-only. */
@Entity
@Table(name = "deployments")
public class DeploymentEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "policy_id")
    public String policyId;
    public int seq;
    /** Null when this record is an undeploy. */
    public Integer version;
    @Column(name = "previous_version")
    public Integer previousVersion;
    public Double threshold;
    @Column(name = "previous_threshold")
    public Double previousThreshold;
    public boolean rollback;
    public String note;
    public String actor;
    @Column(name = "create_time")
    public OffsetDateTime createTime;
}

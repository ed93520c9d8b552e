package io.copeplatform.registry.repository;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A remembered {@code request_id}: which operation used it, on what input, and what it produced. */
@Entity
@Table(name = "request_ids")
public class RequestIdEntity extends PanacheEntityBase {

    @Id
    @Column(name = "request_id")
    public String requestId;
    public String operation;
    /** SHA-256 of the request's meaningful fields: the same id with other input is refused. */
    public String fingerprint;
    /** Resource name of what the first attempt produced. */
    public String resource;
    @Column(name = "create_time")
    public OffsetDateTime createTime;
}

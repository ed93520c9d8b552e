-- review-service schema. Tasks come from ReviewTaskCreated events; leases are decision slots held for a limited time;
-- decisions, the audit log and the outbox are append-only.

CREATE TABLE review.tasks (
    id                 text PRIMARY KEY,
    seq                bigserial NOT NULL UNIQUE,
    job                text NOT NULL,
    iteration          integer NOT NULL,
    item               text NOT NULL,
    content            text NOT NULL,
    content_sha256     text NOT NULL,
    a_policy           text NOT NULL,
    a_policy_version   text NOT NULL,
    a_text             text NOT NULL,
    a_text_sha256      text NOT NULL,
    a_label            boolean NOT NULL,
    a_score            double precision,
    a_raw_answer       text NOT NULL,
    b_policy           text NOT NULL,
    b_policy_version   text NOT NULL,
    b_text             text NOT NULL,
    b_text_sha256      text NOT NULL,
    b_label            boolean NOT NULL,
    b_score            double precision,
    b_raw_answer       text NOT NULL,
    labeler            text NOT NULL,
    required_decisions integer NOT NULL CHECK (required_decisions >= 1),
    decision_count     integer NOT NULL DEFAULT 0,
    -- OPEN, ESCALATED, DONE, CANCELLED; CLAIMED is derived (every outstanding slot under a live lease).
    state              text NOT NULL,
    gold_label         boolean,
    create_time        timestamptz NOT NULL,
    update_time        timestamptz NOT NULL,
    close_time         timestamptz,
    UNIQUE (job, iteration, item)
);
CREATE INDEX tasks_claimable ON review.tasks (state, seq);
CREATE INDEX tasks_job ON review.tasks (job, seq);

CREATE TABLE review.leases (
    id          uuid PRIMARY KEY,
    task_id     text NOT NULL REFERENCES review.tasks (id),
    reviewer    text NOT NULL,
    role        text NOT NULL,
    claim_time  timestamptz NOT NULL,
    expire_time timestamptz NOT NULL,
    -- Set when the lease ends: RELEASED, DECIDED or EXPIRED (expiry is also implied by expire_time <= now()).
    end_time    timestamptz,
    end_reason  text
);
CREATE INDEX leases_task_open ON review.leases (task_id) WHERE end_time IS NULL;
CREATE INDEX leases_reviewer ON review.leases (reviewer, claim_time);

CREATE TABLE review.decisions (
    id                 uuid PRIMARY KEY,
    task_id            text NOT NULL REFERENCES review.tasks (id),
    lease_id           uuid NOT NULL REFERENCES review.leases (id),
    reviewer           text NOT NULL,
    role               text NOT NULL,
    label              boolean NOT NULL,
    correct_version    text NOT NULL,
    span_side          text,
    span_start         integer,
    span_end           integer,
    note               text NOT NULL,
    resolution         boolean NOT NULL,
    caused_escalation  boolean NOT NULL DEFAULT false,
    create_time        timestamptz NOT NULL,
    UNIQUE (task_id, reviewer, resolution)
);
CREATE INDEX decisions_reviewer ON review.decisions (reviewer, create_time);

-- Idempotency of SubmitDecision.
CREATE TABLE review.request_ids (
    request_id   text NOT NULL,
    reviewer     text NOT NULL,
    request_hash text NOT NULL,
    decision_id  uuid NOT NULL REFERENCES review.decisions (id),
    create_time  timestamptz NOT NULL,
    PRIMARY KEY (reviewer, request_id)
);

-- Idempotency of the review.tasks.v1 consumer: written in the same transaction as the task.
CREATE TABLE review.processed_events (
    event_id     text PRIMARY KEY,
    process_time timestamptz NOT NULL
);

-- Binocular determinism per iteration, as reported with the tasks (latest report wins).
CREATE TABLE review.iteration_summaries (
    job       text NOT NULL,
    iteration integer NOT NULL,
    summary   bytea NOT NULL,
    PRIMARY KEY (job, iteration)
);

CREATE TABLE review.audit_events (
    id          bigserial PRIMARY KEY,
    event_time  timestamptz NOT NULL,
    actor       text NOT NULL,
    actor_role  text,
    action      text NOT NULL,
    task_id     text NOT NULL,
    job         text NOT NULL,
    decision_id uuid,
    lease_id    uuid,
    -- Alternating keys and values.
    details     text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_task ON review.audit_events (task_id, id);
CREATE INDEX audit_job ON review.audit_events (job, id);

CREATE TABLE review.outbox (
    id          bigserial PRIMARY KEY,
    event_id    uuid NOT NULL UNIQUE,
    topic       text NOT NULL,
    record_key  text NOT NULL,
    event_type  text NOT NULL,
    payload     bytea NOT NULL,
    create_time timestamptz NOT NULL,
    sent_time   timestamptz
);
CREATE INDEX outbox_unsent ON review.outbox (id) WHERE sent_time IS NULL;

-- labeling-service schema. Labels are written once per (job, iteration, item, side): the primary key is what makes
-- a resumed job never label an item twice for the same wording.

CREATE TABLE labeling.datasets (
    id                 text PRIMARY KEY,
    display_name       text NOT NULL,
    description        text NOT NULL,
    creator            text NOT NULL,
    create_time        timestamptz NOT NULL,
    update_time        timestamptz NOT NULL
);

CREATE TABLE labeling.dataset_items (
    dataset_id         text NOT NULL REFERENCES labeling.datasets (id),
    seq                bigserial NOT NULL,
    id                 text NOT NULL,
    text               text NOT NULL,
    content_sha256     text NOT NULL,
    external_id        text NOT NULL,
    expected_label     boolean,
    create_time        timestamptz NOT NULL,
    PRIMARY KEY (dataset_id, id),
    UNIQUE (dataset_id, content_sha256)
);
CREATE INDEX dataset_items_order ON labeling.dataset_items (dataset_id, seq);

CREATE TABLE labeling.jobs (
    id                 text PRIMARY KEY,
    seq                bigserial NOT NULL UNIQUE,
    request_id         text UNIQUE,
    request_hash       text,
    spec               jsonb NOT NULL,
    dataset_id         text NOT NULL,
    policy_a_policy    text NOT NULL,
    max_calls          bigint NOT NULL,
    max_tokens         bigint NOT NULL,
    state              text NOT NULL,
    pause_reason       text,
    target_reached     boolean NOT NULL DEFAULT false,
    failure_reason     text,
    failure_message    text,
    current_iteration  integer NOT NULL DEFAULT 0,
    call_count         bigint NOT NULL DEFAULT 0,
    prompt_tokens      bigint NOT NULL DEFAULT 0,
    completion_tokens  bigint NOT NULL DEFAULT 0,
    retry_count        bigint NOT NULL DEFAULT 0,
    malformed_count    bigint NOT NULL DEFAULT 0,
    failed_call_count  bigint NOT NULL DEFAULT 0,
    creator            text NOT NULL,
    create_time        timestamptz NOT NULL,
    start_time         timestamptz,
    end_time           timestamptz,
    update_time        timestamptz NOT NULL
);

CREATE TABLE labeling.iterations (
    job_id             text NOT NULL REFERENCES labeling.jobs (id),
    iteration          integer NOT NULL,
    phase              text NOT NULL,
    a_policy           text NOT NULL,
    a_version          text NOT NULL,
    a_draft_etag       text NOT NULL,
    a_text             text NOT NULL,
    a_sha256           text NOT NULL,
    b_policy           text,
    b_version          text,
    b_draft_etag       text,
    b_text             text,
    b_sha256           text,
    item_count         bigint NOT NULL DEFAULT 0,
    percent_agreement  double precision,
    cohens_kappa       double precision,
    kappa_lower        double precision,
    kappa_upper        double precision,
    refined_policy     text,
    refined_etag       text,
    refined_text       text,
    refined_sha256     text,
    start_time         timestamptz NOT NULL,
    end_time           timestamptz,
    PRIMARY KEY (job_id, iteration)
);

CREATE TABLE labeling.labels (
    job_id             text NOT NULL,
    iteration          integer NOT NULL,
    item_id            text NOT NULL,
    side               char(1) NOT NULL CHECK (side IN ('A', 'B')),
    outcome            text NOT NULL,
    label              boolean NOT NULL,
    score              double precision,
    raw_answer         text NOT NULL,
    attempt_count      integer NOT NULL,
    prompt_tokens      bigint NOT NULL,
    completion_tokens  bigint NOT NULL,
    error_message      text NOT NULL,
    label_time         timestamptz NOT NULL,
    PRIMARY KEY (job_id, iteration, item_id, side),
    FOREIGN KEY (job_id, iteration) REFERENCES labeling.iterations (job_id, iteration)
);

-- One row per mismatched item sent to review; gold_label is set when the review completes.
CREATE TABLE labeling.reviews (
    job_id             text NOT NULL,
    iteration          integer NOT NULL,
    item_id            text NOT NULL,
    task               text,
    gold_label         boolean,
    PRIMARY KEY (job_id, iteration, item_id)
);

CREATE TABLE labeling.findings (
    event_id           text PRIMARY KEY,
    job_id             text NOT NULL,
    iteration          integer NOT NULL,
    item_id            text NOT NULL,
    decision           text NOT NULL,
    reviewer           text NOT NULL,
    label              boolean NOT NULL,
    correct_version    text NOT NULL,
    clause_side        text,
    clause_start       integer,
    clause_end         integer,
    clause_text        text,
    note               text NOT NULL,
    resolution         boolean NOT NULL,
    decide_time        timestamptz NOT NULL
);
CREATE INDEX findings_item ON labeling.findings (job_id, iteration, item_id);

CREATE TABLE labeling.evaluations (
    id                 text PRIMARY KEY,
    seq                bigserial NOT NULL UNIQUE,
    request_id         text UNIQUE,
    request_hash       text,
    spec               jsonb NOT NULL,
    policy             text NOT NULL,
    dataset_id         text NOT NULL,
    resolved_version   text,
    policy_text        text,
    policy_sha256      text,
    state              text NOT NULL,
    failure_reason     text,
    failure_message    text,
    result             jsonb,
    item_count         bigint NOT NULL DEFAULT 0,
    call_count         bigint NOT NULL DEFAULT 0,
    prompt_tokens      bigint NOT NULL DEFAULT 0,
    completion_tokens  bigint NOT NULL DEFAULT 0,
    retry_count        bigint NOT NULL DEFAULT 0,
    malformed_count    bigint NOT NULL DEFAULT 0,
    failed_call_count  bigint NOT NULL DEFAULT 0,
    model              text NOT NULL DEFAULT '',
    model_version      text NOT NULL DEFAULT '',
    registry_recorded  boolean NOT NULL DEFAULT false,
    creator            text NOT NULL,
    create_time        timestamptz NOT NULL,
    start_time         timestamptz,
    end_time           timestamptz
);

CREATE TABLE labeling.evaluation_labels (
    evaluation_id      text NOT NULL REFERENCES labeling.evaluations (id),
    item_id            text NOT NULL,
    outcome            text NOT NULL,
    label              boolean NOT NULL,
    score              double precision,
    raw_answer         text NOT NULL,
    prompt_tokens      bigint NOT NULL,
    completion_tokens  bigint NOT NULL,
    PRIMARY KEY (evaluation_id, item_id)
);

CREATE TABLE labeling.processed_events (
    event_id           text PRIMARY KEY,
    process_time       timestamptz NOT NULL
);

CREATE TABLE labeling.outbox (
    id          bigserial PRIMARY KEY,
    event_id    uuid NOT NULL UNIQUE,
    topic       text NOT NULL,
    record_key  text NOT NULL,
    event_type  text NOT NULL,
    payload     bytea NOT NULL,
    create_time timestamptz NOT NULL,
    sent_time   timestamptz
);
CREATE INDEX outbox_unsent ON labeling.outbox (id) WHERE sent_time IS NULL;

-- policy-registry schema v1. Published versions are immutable: a trigger refuses any change to
-- their content; only the deprecation columns may change.

CREATE TABLE policies (
    id                              text PRIMARY KEY,
    display_name                    text        NOT NULL,
    description                     text        NOT NULL DEFAULT '',
    tags                            text        NOT NULL DEFAULT '',   -- comma-separated slugs
    creator                         text        NOT NULL,
    create_time                     timestamptz NOT NULL,
    update_time                     timestamptz NOT NULL,
    delete_time                     timestamptz,
    revision                        bigint      NOT NULL DEFAULT 1,    -- policy etag
    draft_text                      text        NOT NULL,
    draft_sha256                    text        NOT NULL,
    draft_revision                  bigint      NOT NULL DEFAULT 1,    -- draft etag
    draft_note                      text        NOT NULL DEFAULT '',
    draft_updater                   text        NOT NULL,
    draft_update_time               timestamptz NOT NULL,
    draft_base_version              integer,
    draft_base_sha256               text,                              -- sha256 of the base version
    draft_lint_report               text        NOT NULL,              -- JSON
    latest_version                  integer     NOT NULL DEFAULT 0,
    live_version                    integer,
    live_threshold                  double precision,
    deployment_count                integer     NOT NULL DEFAULT 0,
    allow_publish_with_lint_errors  boolean     NOT NULL DEFAULT false,
    min_determinism_agreement       double precision,
    min_determinism_kappa           double precision
);

CREATE TABLE policy_versions (
    id                  bigserial PRIMARY KEY,
    policy_id           text        NOT NULL REFERENCES policies (id),
    version             integer     NOT NULL,
    text                text        NOT NULL,
    sha256              text        NOT NULL,
    changelog           text        NOT NULL DEFAULT '',
    author              text        NOT NULL,
    parent_version      integer,
    paraphrase_of       text        NOT NULL DEFAULT '',
    lint_report         text        NOT NULL,                          -- JSON
    create_time         timestamptz NOT NULL,
    state               text        NOT NULL DEFAULT 'ACTIVE' CHECK (state IN ('ACTIVE', 'DEPRECATED')),
    deprecate_time      timestamptz,
    deprecation_reason  text        NOT NULL DEFAULT '',
    CONSTRAINT policy_versions_number UNIQUE (policy_id, version)
);

CREATE FUNCTION refuse_published_version_change() RETURNS trigger AS $$
BEGIN
    IF NEW.policy_id IS DISTINCT FROM OLD.policy_id OR NEW.version IS DISTINCT FROM OLD.version
       OR NEW.text IS DISTINCT FROM OLD.text OR NEW.sha256 IS DISTINCT FROM OLD.sha256
       OR NEW.changelog IS DISTINCT FROM OLD.changelog OR NEW.author IS DISTINCT FROM OLD.author
       OR NEW.parent_version IS DISTINCT FROM OLD.parent_version
       OR NEW.paraphrase_of IS DISTINCT FROM OLD.paraphrase_of
       OR NEW.lint_report IS DISTINCT FROM OLD.lint_report OR NEW.create_time IS DISTINCT FROM OLD.create_time THEN
        RAISE EXCEPTION 'published policy versions are immutable (%/%)', OLD.policy_id, OLD.version;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER policy_versions_immutable BEFORE UPDATE ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_published_version_change();
CREATE FUNCTION refuse_published_version_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'published policy versions are never deleted (%/%)', OLD.policy_id, OLD.version;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER policy_versions_no_delete BEFORE DELETE ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_published_version_delete();

CREATE TABLE deployments (
    id                  bigserial PRIMARY KEY,
    policy_id           text        NOT NULL REFERENCES policies (id),
    seq                 integer     NOT NULL,
    version             integer,                    -- NULL: the policy was undeployed
    previous_version    integer,
    threshold           double precision,
    previous_threshold  double precision,
    rollback            boolean     NOT NULL DEFAULT false,
    note                text        NOT NULL DEFAULT '',
    actor               text        NOT NULL,
    create_time         timestamptz NOT NULL,
    CONSTRAINT deployments_number UNIQUE (policy_id, seq)
);

CREATE TABLE determinism_scores (
    id                  bigserial PRIMARY KEY,
    policy_id           text        NOT NULL,
    version             integer     NOT NULL,
    percent_agreement   double precision NOT NULL,
    cohens_kappa        double precision,
    kappa_ci_lower      double precision,
    kappa_ci_upper      double precision,
    kappa_ci_level      double precision,
    sample_size         bigint      NOT NULL,
    job                 text        NOT NULL DEFAULT '',
    iteration           integer     NOT NULL DEFAULT 0,
    paraphrase_version  text        NOT NULL DEFAULT '',
    labeler             text        NOT NULL DEFAULT '',
    record_time         timestamptz NOT NULL,
    FOREIGN KEY (policy_id, version) REFERENCES policy_versions (policy_id, version)
);
CREATE INDEX determinism_scores_version ON determinism_scores (policy_id, version, record_time DESC);

CREATE TABLE evaluation_scores (
    id              bigserial PRIMARY KEY,
    policy_id       text        NOT NULL,
    version         integer     NOT NULL,
    precision_score double precision NOT NULL,
    recall          double precision NOT NULL,
    f1              double precision NOT NULL,
    accuracy        double precision NOT NULL,
    model           text        NOT NULL DEFAULT '',
    model_version   text        NOT NULL DEFAULT '',
    threshold       double precision NOT NULL,
    sample_size     bigint      NOT NULL,
    evaluation      text        NOT NULL DEFAULT '',
    dataset         text        NOT NULL DEFAULT '',
    record_time     timestamptz NOT NULL,
    FOREIGN KEY (policy_id, version) REFERENCES policy_versions (policy_id, version)
);
CREATE INDEX evaluation_scores_version ON evaluation_scores (policy_id, version, record_time DESC);

-- request_id idempotency: a retried mutation returns the resource the first attempt produced.
CREATE TABLE request_ids (
    request_id   text PRIMARY KEY,
    operation    text        NOT NULL,
    fingerprint  text        NOT NULL,
    resource     text        NOT NULL,
    create_time  timestamptz NOT NULL
);

-- Transactional outbox: written in the same transaction as the change, relayed to Kafka.
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    event_id    uuid        NOT NULL UNIQUE,
    topic       text        NOT NULL,
    record_key  text        NOT NULL,
    event_type  text        NOT NULL,
    payload     bytea       NOT NULL,
    create_time timestamptz NOT NULL,
    sent_time   timestamptz
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_time IS NULL;

-- Every committed change that can alter what ResolvePolicy answers for a policy notifies the channel
-- registry_resolution_changes with the policy id ('*' when the policies are unknown: TRUNCATE). PostgreSQL delivers
-- notifications at commit, and never for a transaction that rolls back. Each registry replica LISTENs on it to drop
-- its cached resolutions (ResolutionCache); the triggers fire for any writer — another replica, a migration, a
-- hand-written fix — and also under session_replication_role = replica (ENABLE ALWAYS: restores, replication).

CREATE FUNCTION notify_resolution_change() RETURNS trigger AS $$
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        PERFORM pg_notify('registry_resolution_changes', '*');
    ELSIF TG_TABLE_NAME = 'policies' THEN
        IF TG_OP <> 'INSERT' THEN
            PERFORM pg_notify('registry_resolution_changes', OLD.id);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM pg_notify('registry_resolution_changes', NEW.id);
        END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN
            PERFORM pg_notify('registry_resolution_changes', OLD.policy_id);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM pg_notify('registry_resolution_changes', NEW.policy_id);
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- policies: the columns ResolvePolicy reads (draft edits, metadata and metrics do not notify), and removals.
CREATE TRIGGER policies_resolution_changed AFTER UPDATE ON policies
    FOR EACH ROW
    WHEN (OLD.id IS DISTINCT FROM NEW.id
          OR OLD.live_version IS DISTINCT FROM NEW.live_version
          OR OLD.live_threshold IS DISTINCT FROM NEW.live_threshold
          OR OLD.latest_version IS DISTINCT FROM NEW.latest_version
          OR OLD.delete_time IS DISTINCT FROM NEW.delete_time)
    EXECUTE FUNCTION notify_resolution_change();
CREATE TRIGGER policies_resolution_removed AFTER DELETE ON policies
    FOR EACH ROW EXECUTE FUNCTION notify_resolution_change();
CREATE TRIGGER policies_resolution_truncated AFTER TRUNCATE ON policies
    FOR EACH STATEMENT EXECUTE FUNCTION notify_resolution_change();

-- policy_versions: a new version, a version's state (deprecation), and removals.
CREATE TRIGGER policy_versions_resolution_changed AFTER INSERT OR UPDATE OR DELETE ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION notify_resolution_change();
CREATE TRIGGER policy_versions_resolution_truncated AFTER TRUNCATE ON policy_versions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_resolution_change();

ALTER TABLE policies ENABLE ALWAYS TRIGGER policies_resolution_changed;
ALTER TABLE policies ENABLE ALWAYS TRIGGER policies_resolution_removed;
ALTER TABLE policies ENABLE ALWAYS TRIGGER policies_resolution_truncated;
ALTER TABLE policy_versions ENABLE ALWAYS TRIGGER policy_versions_resolution_changed;
ALTER TABLE policy_versions ENABLE ALWAYS TRIGGER policy_versions_resolution_truncated;

-- Every committed change that can alter what ResolvePolicy answers for a policy notifies the channel
-- registry_resolution_changes with the policy id (PostgreSQL delivers notifications at commit, and never for a
-- transaction that rolls back). Each registry replica LISTENs on it to drop its cached resolutions of that policy
-- (ResolutionCache); a change made by any writer — another replica, a migration, a hand-written fix — is heard.

CREATE FUNCTION notify_resolution_change() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'policies' THEN
        PERFORM pg_notify('registry_resolution_changes', NEW.id);
    ELSE
        PERFORM pg_notify('registry_resolution_changes', NEW.policy_id);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- The columns ResolvePolicy reads (draft edits, metadata and metrics do not notify).
CREATE TRIGGER policies_resolution_changed AFTER UPDATE ON policies
    FOR EACH ROW
    WHEN (OLD.live_version IS DISTINCT FROM NEW.live_version
          OR OLD.live_threshold IS DISTINCT FROM NEW.live_threshold
          OR OLD.latest_version IS DISTINCT FROM NEW.latest_version
          OR OLD.delete_time IS DISTINCT FROM NEW.delete_time)
    EXECUTE FUNCTION notify_resolution_change();

-- A new version, or a version's state (deprecation).
CREATE TRIGGER policy_versions_resolution_changed AFTER INSERT OR UPDATE ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION notify_resolution_change();

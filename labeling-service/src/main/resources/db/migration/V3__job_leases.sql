-- Job leases: the instance that runs a job holds it until lease_until and renews it while it works; another instance
-- takes a job over only once its lease has expired (claimed with FOR UPDATE SKIP LOCKED).
ALTER TABLE labeling.jobs ADD COLUMN lease_owner text;
ALTER TABLE labeling.jobs ADD COLUMN lease_until timestamptz;

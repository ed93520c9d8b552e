-- Evaluations are leased like binocular jobs (see V3): one replica runs each.
ALTER TABLE labeling.evaluations ADD COLUMN lease_owner text;
ALTER TABLE labeling.evaluations ADD COLUMN lease_until timestamptz;

-- Which model produced each answer (CoPE through inference-service names its served model; the test model says so).
ALTER TABLE labeling.labels ADD COLUMN model text NOT NULL DEFAULT '';
ALTER TABLE labeling.labels ADD COLUMN model_version text NOT NULL DEFAULT '';

-- Refine under optimistic concurrency: the etag of the policy's draft when the iteration started (NULL for iterations
-- started before this column existed; '' when the draft then held other text than wording A), the proposal (kept even
-- when it could not be saved) and whether saving it met a human's edit.
ALTER TABLE labeling.iterations ADD COLUMN draft_etag_at_start text;
ALTER TABLE labeling.iterations ADD COLUMN proposed_text text;
ALTER TABLE labeling.iterations ADD COLUMN draft_conflict boolean NOT NULL DEFAULT false;

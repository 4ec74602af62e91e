-- Outbox delivery (issue 5 item 15). A worker claims a message for a while (`claimed_until`):
-- a message claimed but never confirmed (the process died mid-send) is taken again once the
-- claim runs out. Every delivery attempt is kept with its outcome for the administrator.
-- status: pending (waiting, maybe after failed attempts) | sending (claimed) | sent | failed
-- (gave up after the maximum of attempts, or the server refused the message for good).

ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;
CREATE INDEX outbox_created ON outbox (created_at);

CREATE TABLE outbox_attempts (
    id BIGSERIAL PRIMARY KEY,
    outbox_id BIGINT NOT NULL REFERENCES outbox (id),
    attempt BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    -- sent | retry | failed
    outcome TEXT NOT NULL,
    error TEXT,
    CONSTRAINT outbox_attempts_number UNIQUE (outbox_id, attempt)
);

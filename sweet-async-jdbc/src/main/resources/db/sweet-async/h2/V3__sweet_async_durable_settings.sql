-- Sweet Async task store, version 3: the timeout and retry policy a durable invocation was submitted with, so
-- that a re-run (after a crash, a hand-over, on another member) runs under them. Idempotent, like version 1.
ALTER TABLE sweet_async_durable ADD COLUMN IF NOT EXISTS settings VARCHAR(4000);

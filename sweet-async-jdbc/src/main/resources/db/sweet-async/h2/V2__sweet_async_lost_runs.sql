-- Sweet Async task store, version 2: a durable invocation's runs lost with a process that died, apart from its
-- attempts (a run stopped by a graceful close is handed over, not lost). Idempotent, like version 1.
ALTER TABLE sweet_async_durable ADD COLUMN IF NOT EXISTS lost_runs INT NOT NULL DEFAULT 0;

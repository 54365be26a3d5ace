-- Sweet Async task store, H2. Flyway-compatible: add classpath:db/sweet-async/h2 to your locations,
-- or let sweet.async.store.initialize-schema run it (it only creates what is missing).
CREATE SEQUENCE IF NOT EXISTS sweet_async_incarnation_seq START WITH 1;

CREATE TABLE IF NOT EXISTS sweet_async_member (
    incarnation BIGINT PRIMARY KEY,
    member VARCHAR(200) NOT NULL,
    started_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS sweet_async_task (
    id BIGINT PRIMARY KEY,
    parent_id BIGINT NOT NULL,
    root_id BIGINT NOT NULL,
    name VARCHAR(200) NOT NULL,
    status VARCHAR(16) NOT NULL,
    priority VARCHAR(16) NOT NULL,
    group_name VARCHAR(200),
    runtime VARCHAR(64) NOT NULL,
    tags VARCHAR(4000),
    created_at BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    completed_at BIGINT NOT NULL,
    attempts INT NOT NULL,
    failure_type VARCHAR(200),
    failure_message VARCHAR(2000),
    queue_wait_nanos BIGINT NOT NULL,
    run_nanos BIGINT NOT NULL,
    cpu_nanos BIGINT NOT NULL,
    allocated_bytes BIGINT NOT NULL,
    bytes_read BIGINT NOT NULL,
    bytes_written BIGINT NOT NULL,
    resource_sources CHAR(4) NOT NULL,
    member VARCHAR(200) NOT NULL,
    incarnation BIGINT NOT NULL,
    durable BOOLEAN NOT NULL
);
CREATE INDEX IF NOT EXISTS sweet_async_task_created ON sweet_async_task (created_at);
CREATE INDEX IF NOT EXISTS sweet_async_task_live ON sweet_async_task (incarnation, status);

CREATE TABLE IF NOT EXISTS sweet_async_durable (
    id BIGINT PRIMARY KEY,
    handler VARCHAR(100) NOT NULL,
    argument CHARACTER LARGE OBJECT,
    result CHARACTER LARGE OBJECT,
    failure VARCHAR(2000),
    status VARCHAR(16) NOT NULL,
    attempts INT NOT NULL,
    owner BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS sweet_async_durable_open ON sweet_async_durable (status, owner);

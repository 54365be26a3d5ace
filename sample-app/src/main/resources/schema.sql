create table if not exists priced_order (
    import_id    bigint       not null,
    order_id     varchar(16)  not null,
    customer     varchar(32)  not null,
    sku          varchar(16)  not null,
    quantity     int          not null,
    total_cents  bigint       not null,
    primary key (import_id, order_id)
);

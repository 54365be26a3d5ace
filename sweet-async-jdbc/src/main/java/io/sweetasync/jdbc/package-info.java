/**
 * Durable task state on a JDBC {@link javax.sql.DataSource}: {@link io.sweetasync.jdbc.JdbcTaskStore}
 * (H2, PostgreSQL) and {@link io.sweetasync.jdbc.JsonDurableCodec}. Needs no Spring.
 */
package io.sweetasync.jdbc;

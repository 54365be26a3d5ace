package io.sweetasync.boot.autoconfigure;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.ConnectionProxy;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;

/**
 * The task store's view of the application's {@link DataSource}: transaction-aware (a durable task submitted
 * inside a Spring transaction is stored in that transaction, its connection's), and outside one a connection
 * with auto-commit on, whatever the pool's default. The store takes a connection with auto-commit off for one in
 * its caller's transaction and leaves the commit to that caller; a pool made so
 * ({@code spring.datasource.hikari.auto-commit=false}, often set for Hibernate) would hand it such connections
 * where no transaction is, and the store would refuse it at start-up (it would keep nothing). A pool resets the
 * flag when the connection comes back (HikariCP and DBCP2 do; a connection of a non-pooling {@code DataSource} is
 * closed).
 *
 * <p>Invariants: a connection bound to the current transaction ({@link DataSourceUtils#isConnectionTransactional})
 * is handed out as it is, its auto-commit untouched; any other with auto-commit off has it turned on before the
 * store sees it (one that cannot be is closed, and the failure thrown).
 */
final class StoreDataSource extends TransactionAwareDataSourceProxy {

    StoreDataSource(DataSource target) {
        super(target);
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection connection = super.getConnection();
        try {
            // The proxy's target: DataSourceUtils compares the transaction's connection with the one passed, unwrapped
            // on the transaction's side only (given the proxy, it answered "not the transaction's" inside one).
            Connection target = connection instanceof ConnectionProxy proxy ? proxy.getTargetConnection() : connection;
            if (!DataSourceUtils.isConnectionTransactional(target, obtainTargetDataSource()) && !target.getAutoCommit()) {
                target.setAutoCommit(true);
            }
        }
        catch (SQLException | RuntimeException ex) {
            try {
                connection.close();
            }
            catch (SQLException | RuntimeException closing) {
                ex.addSuppressed(closing);
            }
            throw ex;
        }
        return connection;
    }
}

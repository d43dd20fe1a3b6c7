/// Ordered, named schema migrations; each runs once, inside its own transaction, and is recorded.
public struct DatabaseMigrator {
    private var migrations: [(identifier: String, sql: String)] = []

    public init() {}

    /// Registers a migration; identifiers must be unique and are applied in registration order.
    public mutating func registerMigration(_ identifier: String, sql: String) {
        migrations.append((identifier, sql))
    }

    /// Applies the migrations that the database has not recorded yet; returns their identifiers.
    @discardableResult
    public func migrate(_ db: Database) throws -> [String] {
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        let applied = Set(try db.query("SELECT identifier FROM schema_migrations") { $0.text(0) })
        var done: [String] = []
        for migration in migrations where !applied.contains(migration.identifier) {
            try db.inTransaction {
                try db.execute(migration.sql)
                try db.run("INSERT INTO schema_migrations (identifier) VALUES (?)", [.text(migration.identifier)])
            }
            done.append(migration.identifier)
        }
        return done
    }

    /// Identifiers of all registered migrations, in order.
    public var identifiers: [String] { migrations.map(\.identifier) }
}

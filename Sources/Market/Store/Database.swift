import CSQLite
import Foundation

/// A failed SQLite call: the result code, SQLite's message, and the SQL being run.
public struct DatabaseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var resultCode: Int32
    public var message: String
    public var sql: String?

    /// True for constraint violations (SQLITE_CONSTRAINT and its extended codes).
    public var isConstraintViolation: Bool { resultCode & 0xff == SQLITE_CONSTRAINT }

    public var description: String {
        var text = "SQLite error \(resultCode): \(message)"
        if let sql { text += " - while executing `\(sql)`" }
        return text
    }
}

/// A value bound to or read from a statement.
public enum DatabaseValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One SQLite connection. Owns its handle and closes it in `deinit`; not thread-safe: one owner at a time
/// (the store serialises access).
public final class Database {
    let handle: OpaquePointer
    private var statementCache: [String: Statement] = [:]
    public let path: String

    /// Opens (creating if needed) the database at `path`; `:memory:` for a private in-memory database.
    public init(path: String) throws(DatabaseError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open database"
            if let db { sqlite3_close_v2(db) }
            throw DatabaseError(resultCode: rc, message: "\(message) (path: \(path))", sql: nil)
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 5000)
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(DatabaseError) {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let message = errmsg.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errmsg)
            throw DatabaseError(resultCode: rc, message: message, sql: sql)
        }
    }

    /// A prepared statement for `sql`, reused across calls (reset and unbound before it is returned).
    public func cachedStatement(_ sql: String) throws(DatabaseError) -> Statement {
        if let statement = statementCache[sql] {
            statement.reset()
            return statement
        }
        let statement = try Statement(database: self, sql: sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs a statement that returns no rows, with arguments; returns the number of changed rows.
    @discardableResult
    public func run(_ sql: String, _ arguments: [DatabaseValue] = []) throws(DatabaseError) -> Int {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        try statement.runToEnd()
        return Int(sqlite3_changes(handle))
    }

    /// Runs a query and maps each row.
    public func query<T>(_ sql: String, _ arguments: [DatabaseValue] = [], _ map: (Row) throws -> T) throws -> [T] {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        var out: [T] = []
        while try statement.step() {
            out.append(try map(Row(statement: statement)))
        }
        return out
    }

    /// The first row of a query, mapped, or nil.
    public func queryOne<T>(_ sql: String, _ arguments: [DatabaseValue] = [], _ map: (Row) throws -> T) throws -> T? {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return try map(Row(statement: statement))
    }

    /// Runs `body` in a transaction (BEGIN IMMEDIATE): commits when it returns, rolls back when it throws.
    public func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    func lastError(sql: String?) -> DatabaseError {
        DatabaseError(resultCode: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}

/// A prepared statement, owned and finalised by this object.
public final class Statement {
    let handle: OpaquePointer
    unowned let database: Database
    public let sql: String

    init(database: Database, sql: String) throws(DatabaseError) {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw database.lastError(sql: sql) }
        handle = stmt
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ values: [DatabaseValue]) throws(DatabaseError) {
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
            case .real(let v): rc = sqlite3_bind_double(handle, index, v)
            case .text(let v):
                // The byte count, not -1: with -1 SQLite stops at the first NUL, so "id\0junk" would bind as "id".
                rc = v.withCString { sqlite3_bind_text(handle, index, $0, Int32(clamping: v.utf8.count), prooflayer_sqlite_transient()) }
            case .blob(let v):
                rc = v.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), prooflayer_sqlite_transient()) }
            }
            guard rc == SQLITE_OK else { throw database.lastError(sql: sql) }
        }
    }

    /// Steps once: true when a row is available, false when done.
    func step() throws(DatabaseError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.lastError(sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    func runToEnd() throws(DatabaseError) {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }
}

/// The current row of a statement; valid only inside the mapping closure.
public struct Row {
    let statement: Statement

    public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(statement.handle, column) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(statement.handle, column) }
    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement.handle, column) == SQLITE_NULL }
    public func optionalInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }
    public func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }
    public func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(statement.handle, column) else { return "" }
        let n = Int(sqlite3_column_bytes(statement.handle, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }
    public func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    public func blob(_ column: Int32) -> [UInt8] {
        guard let p = sqlite3_column_blob(statement.handle, column) else { return [] }
        let n = Int(sqlite3_column_bytes(statement.handle, column))
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}

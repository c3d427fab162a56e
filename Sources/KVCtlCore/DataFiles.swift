import Foundation
import KVStore

/// Where kvserver keeps its data: `<data dir>/kvstore.sqlite` (WAL mode, with `-wal` and
/// `-shm` side files while open).
enum DataFiles {
    static let databaseName = "kvstore.sqlite"

    static func databasePath(_ directory: String) -> String {
        (directory as NSString).appendingPathComponent(databaseName)
    }

    /// The side files SQLite keeps next to a database in WAL mode.
    static func sideFiles(_ database: String) -> [String] { [database + "-wal", database + "-shm"] }

    /// Opens an existing database, read-write when allowed (so SQLite can recover a WAL
    /// left by a crashed server), read-only otherwise.
    static func openExisting(_ path: String) throws -> OfflineDatabase {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("no database at \(path)")
        }
        if let file = try? OfflineDatabase(path: path, mode: .readWrite) { return file }
        return try onDatabase { try OfflineDatabase(path: path, mode: .readOnly) }
    }

    /// Runs `body`, reporting the database's errors (which name the file) as kvctl's own.
    static func onDatabase<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as OfflineDatabaseError {
            throw CLIError(error.message)
        }
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}

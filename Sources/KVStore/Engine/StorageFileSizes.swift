#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The sizes of the SQLite database file and its write-ahead log, for the server's metrics
/// (`kvserver_database_file_size_bytes`, `kvserver_wal_size_bytes`).
public struct StorageFileSizes: Sendable, Equatable {
    public var databaseBytes: Int64
    public var walBytes: Int64
}

extension KVEngine {
    /// The current sizes of the database file and its WAL (in memory mode, of the files in its
    /// private directory); a missing file counts 0. Two `stat` calls: cheap enough per scrape.
    public func storageFileSizes() -> StorageFileSizes {
        // An external backend has no files here.
        guard let database = storage.sqliteDatabase else { return StorageFileSizes(databaseBytes: 0, walBytes: 0) }
        let path: String?
        switch database.location {
        case .file(let filePath): path = filePath
        case .inMemory: path = database.memoryDirectoryPath.map { $0 + "/kvstore.sqlite" }
        }
        guard let path else { return StorageFileSizes(databaseBytes: 0, walBytes: 0) }
        return StorageFileSizes(databaseBytes: Self.fileSize(path), walBytes: Self.fileSize(path + "-wal"))
    }

    private static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return Int64(info.st_size)
    }
}

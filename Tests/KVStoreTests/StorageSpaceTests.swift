import Foundation
import Logging
import Testing

@testable import KVStore

@Suite("Storage: WAL bound and disk-full state")
struct StorageSpaceTests {
    @Test func theWALIsTruncatedToItsLimitOnceCheckpointed() async throws {
        try await withTemporaryDatabasePath { path in
            let settings = StorageSettings(
                walCheckpointBytes: StorageSettings.mebibyte, walSizeLimitBytes: 256 * 1024, reserveBytes: 0)
            let database = try Database(location: .file(path: path), storage: settings)
            defer { database.close() }
            try await database.exclusive { try $0.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)") }
            // One transaction of about 4 MiB: the WAL grows past four times the threshold.
            try await database.write { connection in
                let insert = try connection.statement("INSERT INTO t(k, v) VALUES (?, zeroblob(4000))")
                for row in 0..<1000 {
                    try insert.bind(1, Int64(row))
                    try insert.run()
                    insert.reset()
                }
            }
            let walPath = path + "-wal"
            func walBytes() throws -> Int { (try FileManager.default.attributesOfItem(atPath: walPath)[.size] as? Int) ?? 0 }
            // Once a checkpoint has copied everything, the next commit restarts the WAL and cuts
            // the file back to the limit instead of keeping its 4 MiB peak.
            _ = try await database.exclusive { try $0.queryText("PRAGMA wal_checkpoint(FULL)") }
            try await database.write { try $0.execute("INSERT INTO t(k, v) VALUES (100000, x'01')") }
            let truncated = try walBytes()
            #expect(truncated <= 256 * 1024, "WAL is \(truncated) bytes")
            #expect(try await database.exclusive { try $0.queryText("PRAGMA journal_size_limit") } == "262144")
        }
    }

    @Test func aNewDatabaseCanGiveFreePagesBack() async throws {
        try await withTemporaryDatabasePath { path in
            let database = try Database(location: .file(path: path))
            defer { database.close() }
            #expect(try await database.exclusive { try $0.queryText("PRAGMA auto_vacuum") } == "2")
        }
    }

    @Test func growingWritesAreRefusedWhileFullAndDeletesRun() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvspace-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let space = StorageSpace(directory: directory, reserveBytes: 1 << 20, logger: Logger(label: "test"))
        space.prepare()
        #expect(!space.isFull)
        #expect((try FileManager.default.attributesOfItem(atPath: space.reservePath)[.size] as? Int) == 1 << 20)

        let database = try Database(location: .file(path: directory + "/kvstore.sqlite"), space: space)
        defer { database.close() }
        try await database.exclusive { try $0.execute("CREATE TABLE t(k INTEGER PRIMARY KEY)") }
        space.noteDiskFull()
        #expect(space.isFull)
        #expect(!FileManager.default.fileExists(atPath: space.reservePath))
        let error = await #expect(throws: KVError.self) {
            try await database.write { try $0.execute("INSERT INTO t VALUES (1)") }
        }
        #expect(error?.code == .serviceUnavailable)
        #expect(error?.message.hasPrefix("Storage is full") == true)
        try await database.write(.freesSpace) { try $0.execute("DELETE FROM t") }
        // This temporary directory has room: the reserve comes back and writes go through again.
        #expect(await database.recoverSpaceIfFull())
        #expect(!space.isFull)
        #expect(FileManager.default.fileExists(atPath: space.reservePath))
        try await database.write { try $0.execute("INSERT INTO t VALUES (2)") }
    }
}

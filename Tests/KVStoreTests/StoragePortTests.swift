import Foundation
import Testing

@testable import KVStore

/// The SQLite adapter behind the storage port (`Sources/KVStore/Storage/`), called the way the
/// engine calls it: on the transaction handle.
@Suite("Storage port: the SQLite adapter")
struct StoragePortTests {
    private func migrated() throws -> Connection {
        let connection = try Connection(path: ":memory:", mode: .readWrite)
        try connection.migrateStorage()
        return connection
    }

    private func record(_ stream: Int64, _ key: String, _ event: StreamLog.Event = .insert) -> NewStreamRecord {
        let keys: Item = ["pk": .string(key)]
        return NewStreamRecord(
            streamID: stream, event: event, byService: false, size: ItemSize.of(keys), keys: keys,
            oldImage: nil, newImage: event == .remove ? nil : keys)
    }

    @Test func streamRecordsKeepTheirOrderAndShardsRollOver() throws {
        let connection = try migrated()
        #expect(try connection.nextStreamID() == 1)
        for key in ["a", "b", "c"] {
            try connection.appendStreamRecord(record(1, key), now: 1000, rollover: 3600)
        }
        let first = try #require(try connection.streamShards(streamID: 1, after: 0).first)
        #expect(first.shard == 1 && first.parent == nil && first.startSequence == 1 && first.endSequence == nil)
        #expect(first.openedMillis == 1_000_000)

        let records = try connection.streamRecords(streamID: 1, shard: 1, after: 0, limit: 10, maxBytes: 1 << 20)
        #expect(records.map(\.sequence) == [1, 2, 3])
        #expect(records.map { $0.keys["pk"] } == [.string("a"), .string("b"), .string("c")])
        #expect(records.allSatisfy { $0.event == .insert && $0.oldImage == nil && $0.createdMillis == 1_000_000 })
        // A byte budget smaller than one record still returns the first.
        #expect(try connection.streamRecords(streamID: 1, shard: 1, after: 0, limit: 10, maxBytes: 1).count == 1)
        #expect(try connection.newestStreamRecordMillis(streamID: 1, shard: 1) == 1_000_000)

        // An hour later the next record goes to a child shard; the parent ends at its last record.
        try connection.appendStreamRecord(record(1, "d", .modify), now: 4600, rollover: 3600)
        let shards = try connection.streamShards(streamID: 1, after: 0)
        #expect(shards.map(\.shard) == [1, 2])
        #expect(shards[0].endSequence == 3)
        #expect(shards[1].parent == 1 && shards[1].startSequence == 4 && shards[1].endSequence == nil)
        #expect(try connection.streamShard(streamID: 1, shard: 2)?.startSequence == 4)
        #expect(try connection.streamShard(streamID: 1, shard: 3) == nil)
        #expect(try connection.lastStreamSequence() == 4)
    }

    @Test func trimmingMarksShardsAndDropsDrainedOnes() throws {
        let connection = try migrated()
        for key in ["a", "b", "c"] {
            try connection.appendStreamRecord(record(1, key), now: 1000, rollover: 3600)
        }
        try connection.appendStreamRecord(record(1, "d"), now: 5000, rollover: 3600)
        #expect(try connection.trimStreamRecords(createdBeforeMillis: 2_000_000, limit: 2) == 2)
        #expect(try connection.streamShard(streamID: 1, shard: 1)?.trimmedSequence == 2)
        #expect(try connection.trimStreamRecords(createdBeforeMillis: 2_000_000, limit: 2) == 1)
        #expect(try connection.streamShard(streamID: 1, shard: 1)?.trimmedSequence == 3)
        #expect(try connection.trimStreamRecords(createdBeforeMillis: 2_000_000, limit: 2) == 0)

        // Shard 1 is closed and empty: dropped. Shard 2 is open: kept.
        try connection.dropDrainedStreamShards(closedBeforeMillis: 10_000_000)
        #expect(try connection.streamShards(streamID: 1, after: 0).map(\.shard) == [2])
        #expect(try connection.streamHasShards(streamID: 1))
        try connection.closeOpenStreamShards(streamID: 1, now: 6000)
        #expect(try connection.streamShard(streamID: 1, shard: 2)?.endSequence == 4)
        try connection.dropStreams([1])
        #expect(try !connection.streamHasShards(streamID: 1))
        #expect(try connection.streamRecords(streamID: 1, shard: 2, after: 0, limit: 10, maxBytes: 1 << 20).isEmpty)
        // Sequence numbers are never reused, even once every record is gone.
        #expect(try connection.openStreamShard(streamID: 2, parent: nil, now: 7000) == 1)
        #expect(try connection.streamShard(streamID: 2, shard: 1)?.startSequence == 5)
    }

    @Test func transactionTokensAreRecordedAndPurged() throws {
        let connection = try migrated()
        #expect(try connection.transactionTokenFingerprint("t1") == nil)
        try connection.recordTransactionToken("t1", fingerprint: "f1", at: 100)
        try connection.recordTransactionToken("t2", fingerprint: "f2", at: 200)
        #expect(try connection.transactionTokenFingerprint("t1") == "f1")
        try connection.purgeTransactionTokens(recordedBefore: 150)
        #expect(try connection.transactionTokenFingerprint("t1") == nil)
        #expect(try connection.transactionTokenFingerprint("t2") == "f2")
    }

    @Test func offlineDatabaseCopiesAndInspectsAFile() async throws {
        try await withTemporaryDatabasePath { path in
            do {
                let writer = try Connection(path: path, mode: .readWrite)
                try writer.migrateStorage()
                writer.close()
            }
            let source = try OfflineDatabase(path: path, mode: .readWrite)
            #expect(try source.passesQuickCheck())
            #expect(source.hasCatalog)
            #expect(try source.schemaVersion() == StorageInspection.schemaVersion)
            #expect(try source.inSnapshot { try source.integrityCheck() } == ["ok"])
            #expect(try source.catalogEntries().isEmpty)

            try await withTemporaryDatabasePath { copyPath in
                let copy = try OfflineDatabase(path: copyPath, mode: .create)
                try source.backup(into: copy)
                try copy.useRollbackJournal()
                #expect(copy.hasCatalog)
                copy.close()
            }
            source.close()
        }
        let missing = "/nonexistent-\(UUID().uuidString)/kvstore.sqlite"
        let error = try #require(throws: OfflineDatabaseError.self) { try OfflineDatabase(path: missing, mode: .readWrite) }
        #expect(error.message.hasPrefix("cannot open \(missing): "))
    }
}

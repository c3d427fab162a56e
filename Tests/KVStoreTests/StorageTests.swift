import Foundation
import Synchronization
import Testing

@testable import KVStore

@Suite("Storage: Connection and Statement")
struct ConnectionTests {
    @Test func statementsAreCachedBySQLAndReturnedReset() throws {
        let connection = try Connection(path: ":memory:", mode: .readWrite)
        let first = try connection.statement("SELECT ?1")
        try first.bind(1, Int64(42))
        #expect(try first.step())
        #expect(first.int64(0) == 42)

        let second = try connection.statement("SELECT ?1")
        #expect(first === second)
        // Reset with bindings cleared: the parameter is NULL again.
        #expect(try second.step())
        #expect(second.isNull(0))

        let other = try connection.statement("SELECT ?1 + 1")
        #expect(other !== first)
        let uncached = try connection.uncachedStatement("SELECT ?1")
        #expect(uncached !== first)
    }

    @Test func bindAndReadEveryType() throws {
        let connection = try Connection(path: ":memory:", mode: .readWrite)
        try connection.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB, s TEXT, n INTEGER)")
        let insert = try connection.statement("INSERT INTO t(id, b, s, n) VALUES (?, ?, ?, ?)")
        let rows: [(Int64, [UInt8]?, String?, Int64?)] = [
            (1, [], "", 0),
            (2, [0, 1, 255], "a\u{0}b é 🎉", Int64.min),
            (3, nil, nil, nil),
            (4, Array(repeating: 7, count: 100_000), String(repeating: "x", count: 100_000), Int64.max),
        ]
        for (id, blob, text, number) in rows {
            insert.reset()
            try insert.bind(1, id)
            if let blob { try insert.bind(2, blob) } else { try insert.bindNull(2) }
            if let text { try insert.bind(3, text) } else { try insert.bindNull(3) }
            if let number { try insert.bind(4, number) } else { try insert.bindNull(4) }
            try insert.run()
            #expect(connection.changes == 1)
        }

        let select = try connection.statement("SELECT b, s, n, typeof(b), typeof(s) FROM t ORDER BY id")
        for (_, blob, text, number) in rows {
            #expect(try select.step())
            #expect(select.isNull(0) == (blob == nil))
            #expect(select.blob(0) == (blob ?? []))
            #expect(select.text(1) == (text ?? ""))
            #expect(select.int64(2) == (number ?? 0))
            // An empty array is a zero-length blob and "" is empty text, never NULL.
            #expect(select.text(3) == (blob == nil ? "null" : "blob"))
            #expect(select.text(4) == (text == nil ? "null" : "text"))
        }
        #expect(try select.step() == false)
    }

    @Test func errorsCarryExtendedCodesAndSQLButNoBoundValues() throws {
        let connection = try Connection(path: ":memory:", mode: .readWrite)
        try connection.execute("CREATE TABLE t(k TEXT PRIMARY KEY)")
        let insert = try connection.statement("INSERT INTO t(k) VALUES (?)")
        try insert.bind(1, "secret-user-value")
        try insert.run()
        let again = try connection.statement("INSERT INTO t(k) VALUES (?)")
        try again.bind(1, "secret-user-value")
        let error = try #require(throws: SQLiteError.self) { try again.run() }
        #expect(error.code == ResultCode.constraintPrimaryKey)
        #expect(error.primaryCode == ResultCode.constraint)
        #expect(error.sql == "INSERT INTO t(k) VALUES (?)")
        #expect(!error.description.contains("secret"))
        #expect(!error.message.contains("secret"))

        let syntax = try #require(throws: SQLiteError.self) { try connection.statement("SELEC 1") }
        #expect(syntax.code == ResultCode.error)
        #expect(syntax.sql == "SELEC 1")

        let exec = try #require(throws: SQLiteError.self) { try connection.execute("DROP TABLE missing") }
        #expect(exec.code == ResultCode.error)
        #expect(exec.message.contains("missing"))
    }

    @Test func aStatementHoldsExactlyOneSQLStatement() throws {
        let connection = try Connection(path: ":memory:", mode: .readWrite)
        #expect(throws: SQLiteError.self) { try connection.statement("SELECT 1; SELECT 2") }
        #expect(throws: SQLiteError.self) { try connection.statement("  -- only a comment") }
        // Trailing semicolons, whitespace and comments are fine.
        let statement = try connection.statement("SELECT 1; -- done\n ")
        #expect(try statement.step())
    }

    @Test func userVersionRoundTrips() throws {
        let connection = try Connection(path: ":memory:", mode: .readWrite)
        #expect(try connection.userVersion == 0)
        try connection.setUserVersion(7)
        #expect(try connection.userVersion == 7)
    }

    @Test func activeStatementsAreReset() throws {
        let connection = try Connection(path: ":memory:", mode: .readWrite)
        try connection.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2)")
        let select = try connection.statement("SELECT x FROM t")
        #expect(try select.step())
        // A statement part-way through its rows blocks DROP TABLE ...
        #expect(throws: SQLiteError.self) { try connection.execute("DROP TABLE t") }
        // ... until reset.
        connection.resetActiveStatements()
        try connection.execute("DROP TABLE t")
    }
}

@Suite("Storage: Database")
struct DatabaseTests {
    @Test func inMemoryReadsSeeWrites() async throws {
        let database = try Database(location: .inMemory)
        defer { database.close() }
        try await database.exclusive { try $0.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)") }
        try await database.write { connection in
            let insert = try connection.statement("INSERT INTO t VALUES (?, ?)")
            try insert.bind(1, Int64(1))
            try insert.bind(2, "one")
            try insert.run()
        }
        let value = try await database.read { connection in
            let select = try connection.statement("SELECT v FROM t WHERE k = 1")
            return try select.step() ? select.text(0) : nil
        }
        #expect(value == "one")

        // Reads cannot write, in memory as in file mode.
        let error = await #expect(throws: SQLiteError.self) {
            try await database.read { try $0.execute("INSERT INTO t VALUES (2, 'two')") }
        }
        #expect(error?.primaryCode == ResultCode.readOnly)
        // And the writer is writable again afterwards.
        try await database.write { try $0.execute("INSERT INTO t VALUES (3, 'three')") }
    }

    @Test func bodyErrorsPropagateUnchanged() async throws {
        let database = try Database(location: .inMemory)
        defer { database.close() }
        let expected = KVError.validation("nope")
        for run in [
            { try await database.write { _ in throw expected } },
            { try await database.read { _ in throw expected } },
            { try await database.exclusive { _ in throw expected } },
        ] as [@Sendable () async throws -> Void] {
            let error = await #expect(throws: KVError.self) { try await run() }
            #expect(error == expected)
        }
    }

    @Test func aLoneWriteThatThrowsLeavesNothingBehind() async throws {
        // A group of one runs without a savepoint: its failure must still undo what it wrote.
        let database = try Database(location: .inMemory)
        defer { database.close() }
        try await database.exclusive { try $0.execute("CREATE TABLE t(x)") }
        let expected = KVError.validation("nope")
        let error = await #expect(throws: KVError.self) {
            try await database.write { connection in
                try connection.execute("INSERT INTO t VALUES (1)")
                throw expected
            }
        }
        #expect(error == expected)
        #expect(try await database.read { try countRows($0) } == 0)
        // A lone body that ends the transaction itself is not acknowledged as committed.
        let lost = await #expect(throws: SQLiteError.self) {
            try await database.write { try $0.execute("INSERT INTO t VALUES (2); COMMIT") }
        }
        #expect(lost?.code == SQLiteError.transactionLost.code)
    }

    @Test func writesRunInATransactionAndExclusiveOutside() async throws {
        let database = try Database(location: .inMemory)
        defer { database.close() }
        #expect(try await database.write { $0.isInTransaction })
        #expect(try await database.exclusive { $0.isInTransaction } == false)

        // An exclusive body must finish the transactions it starts.
        try await database.exclusive { try $0.execute("CREATE TABLE t(x)") }
        let error = await #expect(throws: SQLiteError.self) {
            try await database.exclusive { try $0.execute("BEGIN; INSERT INTO t VALUES (1)") }
        }
        #expect(error?.code == ResultCode.misuse)
        #expect(try await database.read { try countRows($0) } == 0)
    }

    @Test func theCheckpointerKeepsTheWALFromGrowing() async throws {
        try await withTemporaryDatabasePath { path in
            let database = try Database(location: .file(path: path))
            defer { database.close() }
            try await database.exclusive { try $0.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)") }
            // About 6x the checkpoint threshold in pages: without checkpoints the WAL would hold
            // all of it; with them it restarts from its beginning at about twice the threshold
            // (a little later when the writer's own checkpoint finds the background one busy).
            let pagesWritten = Int(Checkpointer.defaultThreshold) * 6
            for batch in 0..<(pagesWritten / 100) {
                try await database.write { connection in
                    let insert = try connection.statement("INSERT INTO t(k, v) VALUES (?, zeroblob(4000))")
                    for row in 0..<100 {
                        try insert.bind(1, Int64(batch * 100 + row))
                        try insert.run()
                        insert.reset()
                    }
                }
                if batch % 10 == 0 { try await Task.sleep(for: .milliseconds(2)) }
            }
            let walBytes = (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            let frameBytes = 4096 + 24
            // Without a restart the file would hold all 6x; it restarts at 2-3x here.
            #expect(walBytes < Int(Checkpointer.defaultThreshold) * 9 / 2 * frameBytes, "WAL is \(walBytes) bytes")
        }
    }

    @Test func fileDatabaseUsesWALAndReadOnlyReaders() async throws {
        try await withTemporaryDatabasePath { path in
            let database = try Database(location: .file(path: path), synchronous: .full, readers: 2)
            defer { database.close() }
            let (mode, synchronous, checkpointPages) = try await database.exclusive { connection in
                (
                    try connection.queryText("PRAGMA journal_mode"), try connection.queryText("PRAGMA synchronous"),
                    try connection.queryText("PRAGMA wal_autocheckpoint")
                )
            }
            #expect(mode == "wal")
            #expect(synchronous == "2")  // FULL
            #expect(checkpointPages == "0")  // the Checkpointer thread checkpoints instead
            try await database.exclusive { try $0.execute("CREATE TABLE t(x)") }
            let error = await #expect(throws: SQLiteError.self) {
                try await database.read { try $0.execute("INSERT INTO t VALUES (1)") }
            }
            #expect(error?.primaryCode == ResultCode.readOnly)
        }
    }

    /// `--cache-size`: the limit is SQLite's soft heap limit for the process (not checked here:
    /// tests running in parallel open databases with their own), the writer's `cache_size` and
    /// each reader's half of it (negative: KiB).
    @Test func thePageCacheLimitIsSharedOutAmongTheConnections() async throws {
        let database = try Database(
            location: .inMemory, readers: 1, storage: StorageSettings(pageCacheBytes: 12 * StorageSettings.mebibyte))
        defer { database.close() }
        let writer = try await database.exclusive { try $0.queryText("PRAGMA cache_size") }
        let reader = try await database.read { try $0.queryText("PRAGMA cache_size") }
        let inline = try await database.pointRead { try $0.queryText("PRAGMA cache_size") }
        #expect(writer == "-6144")
        #expect(reader == "-6144")
        #expect(inline == "-6144")  // lent by the idle writer (see `pointReadsBorrowTheIdleWritersConnection`)
        #expect(StorageSettings().pageCacheBytes == 16 * StorageSettings.mebibyte)
    }

    @Test func concurrentWritesAllCommitAndThrowingOnesRollBack() async throws {
        try await withTemporaryDatabasePath { path in
            let database = try Database(location: .file(path: path))
            defer { database.close() }
            try await database.exclusive { try $0.execute("CREATE TABLE t(k INTEGER PRIMARY KEY)") }

            let results = await withTaskGroup(of: (Int, Bool).self) { group in
                for k in 0..<500 {
                    group.addTask {
                        do {
                            try await database.write { connection in
                                try insert(k, connection)
                                if k % 7 == 3 { throw TestError(id: k) }
                            }
                            return (k, true)
                        } catch let error as TestError {
                            #expect(error.id == k)
                            return (k, false)
                        } catch {
                            Issue.record("unexpected \(error)")
                            return (k, false)
                        }
                    }
                }
                return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(results.count == 500)
            #expect(results.allSatisfy { $0.value == ($0.key % 7 != 3) })

            let stored = try await database.read { try keys($0) }
            #expect(stored == Set((0..<500).filter { $0 % 7 != 3 }))
            let statistics = database.writerStatistics
            #expect(statistics.committedWrites == stored.count)
            #expect(statistics.committedGroups <= statistics.committedWrites)
        }
    }

    @Test func queuedWritesShareOneGroupCommit() async throws {
        try await withTemporaryDatabasePath { path in
            let database = try Database(location: .file(path: path))
            defer { database.close() }
            try await database.exclusive { try $0.execute("CREATE TABLE t(k INTEGER PRIMARY KEY)") }

            // Hold the writer inside a first write so the next ones queue up behind it.
            let gate = Gate()
            let blocker = Task { try await database.write { _ in gate.pass() } }
            #expect(try await eventually { gate.hasEntered })

            let writes = (0..<50).map { k in
                Task {
                    try await database.write { connection in
                        try insert(k, connection)
                        if k % 5 == 0 { throw TestError(id: k) }
                        return k
                    }
                }
            }
            #expect(try await eventually { database.pendingWriterJobs == 50 })
            // A read does not wait for the writer (WAL): it sees the last commit, no rows.
            #expect(try await database.read { try countRows($0) } == 0)

            let before = database.writerStatistics
            gate.open()
            try await blocker.value
            for (k, write) in writes.enumerated() {
                if k % 5 == 0 {
                    await #expect(throws: TestError(id: k)) { try await write.value }
                } else {
                    #expect(try await write.value == k)
                }
            }
            let after = database.writerStatistics
            // The blocker's group, then one group for all 50 writes.
            #expect(after.committedGroups - before.committedGroups == 2)
            #expect(after.committedWrites - before.committedWrites == 1 + 40)

            let stored = try await database.read { try keys($0) }
            #expect(stored == Set((0..<50).filter { $0 % 5 != 0 }))
        }
    }

    @Test func readsRunInParallelOnTheirOwnSnapshot() async throws {
        try await withTemporaryDatabasePath { path in
            let database = try Database(location: .file(path: path), readers: 3)
            defer { database.close() }
            try await database.exclusive { try $0.execute("CREATE TABLE t(k INTEGER PRIMARY KEY)") }
            try await database.write { try insert(1, $0) }

            // Three reads that only finish once all three are running at the same time.
            let arrived = Counter()
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await database.read { connection in
                            arrived.increment()
                            let deadline = ContinuousClock.now + .seconds(10)
                            while arrived.value < 3 && ContinuousClock.now < deadline {
                                Thread.sleep(forTimeInterval: 0.001)
                            }
                            return try countRows(connection)
                        }
                    }
                }
                for try await count in group { #expect(count == 1) }
            }
            #expect(arrived.value == 3)

            // A read transaction keeps its snapshot while a write commits meanwhile.
            let gate = Gate()
            let reader = Task {
                try await database.read { connection in
                    let before = try countRows(connection)
                    gate.pass()
                    return (before, try countRows(connection))
                }
            }
            #expect(try await eventually { gate.hasEntered })
            try await database.write { try insert(2, $0) }
            gate.open()
            let (first, second) = try await reader.value
            #expect(first == 1 && second == 1)
            #expect(try await database.read { try countRows($0) } == 2)
        }
    }

    @Test func reopenedFileDatabaseHasTheData() async throws {
        try await withTemporaryDatabasePath { path in
            do {
                let database = try Database(location: .file(path: path))
                try await database.exclusive { connection in
                    try connection.execute("CREATE TABLE t(k INTEGER PRIMARY KEY)")
                    try connection.setUserVersion(3)
                }
                for k in 0..<10 {
                    try await database.write { try insert(k, $0) }
                }
                database.close()
            }
            // The writer closed last and checkpointed the WAL away.
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
            let database = try Database(location: .file(path: path))
            defer { database.close() }
            #expect(try await database.read { try keys($0) } == Set(0..<10))
            #expect(try await database.read { try $0.userVersion } == 3)
        }
    }

    @Test func closeWaitsForPendingWritesAndIsIdempotent() async throws {
        try await withTemporaryDatabasePath { path in
            let database = try Database(location: .file(path: path))
            try await database.exclusive { try $0.execute("CREATE TABLE t(k INTEGER PRIMARY KEY)") }
            let gate = Gate()
            let blocker = Task { try await database.write { _ in gate.pass() } }
            #expect(try await eventually { gate.hasEntered })
            let writes = (0..<100).map { k in Task { try await database.write { try insert(k, $0) } } }
            #expect(try await eventually { database.pendingWriterJobs == 100 })

            gate.open()
            database.close()
            database.close()
            try await blocker.value
            for write in writes { try await write.value }

            let error = await #expect(throws: SQLiteError.self) {
                try await database.write { _ in }
            }
            #expect(error?.code == ResultCode.misuse)
            await #expect(throws: SQLiteError.self) { try await database.read { _ in } }

            let reopened = try Database(location: .file(path: path))
            defer { reopened.close() }
            #expect(try await reopened.read { try countRows($0) } == 100)
        }
    }

    @Test func openingAMissingDirectoryThrows() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("kvstore-missing-\(UUID().uuidString)/db.sqlite").path
        #expect(throws: SQLiteError.self) { try Database(location: .file(path: path)) }
    }
}

private func insert(_ k: Int, _ connection: Connection) throws {
    let statement = try connection.statement("INSERT INTO t(k) VALUES (?)")
    try statement.bind(1, Int64(k))
    try statement.run()
}

private func countRows(_ connection: Connection) throws -> Int {
    let statement = try connection.statement("SELECT count(*) FROM t")
    _ = try statement.step()
    return Int(statement.int64(0))
}

private func keys(_ connection: Connection) throws -> Set<Int> {
    let statement = try connection.statement("SELECT k FROM t")
    var keys = Set<Int>()
    while try statement.step() {
        keys.insert(Int(statement.int64(0)))
    }
    return keys
}

@Suite("Storage: in-memory databases")
struct MemoryDirectoryTests {
    @Test func closingRemovesTheDatabaseFiles() async throws {
        let database = try Database(location: .inMemory)
        let directory = try #require(database.memoryDirectoryPath)
        try await database.exclusive { try $0.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1)") }
        #expect(access(directory + "/kvstore.sqlite", F_OK) == 0)
        database.close()
        #expect(access(directory, F_OK) != 0)
    }

    @Test func readsRunOnReaderConnections() async throws {
        // Reads used to run on the writer connection in memory mode; now they have their own.
        let database = try Database(location: .inMemory)
        defer { database.close() }
        try await database.exclusive { try $0.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1)") }
        let error = await #expect(throws: SQLiteError.self) {
            try await database.read { try $0.execute("INSERT INTO t VALUES (2)") }
        }
        #expect(error?.primaryCode == ResultCode.readOnly)
        #expect(try await database.pointRead { try countRows($0) } == 1)
    }

    @Test func connectionsShareOneWALIndexOnTheHeap() async throws {
        // `Connection.Locking.processExclusive`: no `-shm` file, and each reader still sees
        // every commit (the WAL index they share is this process's memory).
        let database = try Database(location: .inMemory)
        defer { database.close() }
        let directory = try #require(database.memoryDirectoryPath)
        try await database.exclusive { try $0.execute("CREATE TABLE t(k INTEGER PRIMARY KEY)") }
        for k in 1...3 {
            try await database.write { try insert(k, $0) }
            #expect(try await database.pointRead { try countRows($0) } == k)
            #expect(try await database.read { try countRows($0) } == k)
        }
        #expect(access(directory + "/kvstore.sqlite-wal", F_OK) == 0)
        #expect(access(directory + "/kvstore.sqlite-shm", F_OK) != 0)
    }

    @Test func pointReadsBorrowTheIdleWritersConnection() async throws {
        // `WriterConnectionLender`: while the writer is idle a point read runs on its connection
        // (a cache commits do not reset) and sees every commit; while the writer is busy the
        // read goes to the thread's own reader connection instead of waiting.
        let database = try Database(location: .inMemory)
        defer { database.close() }
        try await database.exclusive { try $0.execute("CREATE TABLE t(k INTEGER PRIMARY KEY)") }
        // Which connection answered: the writer's is the one its jobs run on.
        let writerConnection = try await database.exclusive { ObjectIdentifier($0) }
        for k in 1...3 {
            try await database.write { try insert(k, $0) }
            let (count, answeredBy) = try await database.pointRead { (try countRows($0), ObjectIdentifier($0)) }
            #expect(count == k)
            #expect(answeredBy == writerConnection)
        }
        // A statement left stepping does not keep a snapshot open on the writer's connection.
        _ = try await database.pointRead { connection in
            let statement = try connection.statement("SELECT k FROM t")
            _ = try statement.step()
        }
        try await database.write { try insert(4, $0) }
        #expect(try await database.pointRead { try countRows($0) } == 4)

        // The writer thread waits inside a job; the test only polls (never blocks a pool thread).
        let writerHolds = Atomic<Bool>(false)
        let release = ConditionLock(false)
        let blocked = Task {
            try await database.exclusive { _ in
                writerHolds.store(true, ordering: .releasing)
                release.wait(until: { $0 }) { _ in }
            }
        }
        while !writerHolds.load(ordering: .acquiring) {
            try await Task.sleep(for: .milliseconds(1))
        }
        let (count, answeredBy) = try await database.pointRead { (try countRows($0), ObjectIdentifier($0)) }
        #expect(count == 4)
        #expect(answeredBy != writerConnection)
        release.withLockBroadcast { $0 = true }
        try await blocked.value
    }

    @Test func workerThreadsCarryTheirNames() async throws {
        // What `top -H` and `perf` show; unnamed they kept their creator's name.
        let database = try Database(location: .inMemory)
        defer { database.close() }
        try await database.exclusive { try $0.execute("CREATE TABLE t(k INTEGER PRIMARY KEY)") }
        _ = try await database.read { try countRows($0) }
        // The checkpointer names itself once it runs: give it up to 2 s on a busy machine.
        var names: [String] = []
        for _ in 0..<40 {
            names = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").compactMap { task in
                (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if names.contains("sqlite-checkpt") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(names.contains("sqlite-writer"))
        #expect(names.contains("sqlite-checkpt"))
        #expect(names.contains { $0.hasPrefix("sqlite-reader-") })
    }

    @Test func directoriesOfDeadProcessesAreRemoved() throws {
        // A process killed with SIGKILL leaves its directory; the next one removes it.
        let abandoned = MemoryDirectory.base + "/" + MemoryDirectory.prefix + "999999999-test"
        #expect(mkdir(abandoned, 0o700) == 0)
        let fresh = try MemoryDirectory.create()
        defer { fresh.remove() }
        #expect(access(abandoned, F_OK) != 0)
    }
}

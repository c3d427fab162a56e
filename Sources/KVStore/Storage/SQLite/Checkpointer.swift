import CSQLite

/// Copies the WAL back into the database file on its own thread and connection, so that
/// commits never wait for a checkpoint.
///
/// SQLite's automatic checkpoint runs inside the COMMIT that crosses the threshold: that
/// commit, and every write queued behind it, waits while the checkpoint copies thousands of
/// pages and syncs twice (up to ~100 ms with a 4000-page WAL; single-connection PutItem p99
/// 12-21 ms in Scripts/bench/run.py). Here the writer's WAL hook only asks, and a PASSIVE
/// checkpoint runs beside the writer: it copies what no reader still needs and never blocks
/// a commit. The writer restarts the WAL from its beginning once a checkpoint has copied all
/// of it, as with automatic checkpoints; should the WAL still reach twice the threshold, the
/// writer checkpoints the rest itself (see `watch`).
final class Checkpointer: Sendable {
    /// The WAL size, in pages, at which a checkpoint is asked for (default 4000, 16 MiB; see
    /// `StorageSettings.walCheckpointBytes`). Each checkpoint copies every page once, however
    /// many commits changed it, and syncs twice, so fewer, larger ones cost less CPU per write
    /// (random-key writes dirty a page each).
    let threshold: Int32
    static let defaultThreshold: Int32 = 4000

    private struct State: Sendable {
        var requested = false
        var isClosing = false
        var hasExited = false
    }

    private let state = ConditionLock(State())
    /// While the disk is full no checkpoint runs here: copying the WAL into the database file
    /// grows that file and would eat the space deletes need (see `Database.recoverSpaceIfFull`,
    /// which checkpoints once it knows the copy fits).
    private let space: StorageSpace?

    /// Starts the thread with `connection`, which it owns from now on.
    init(
        owner: Int, connection: Connection, threshold: Int32 = Checkpointer.defaultThreshold, space: StorageSpace? = nil
    ) throws {
        self.threshold = max(1, threshold)
        self.space = space
        let state = self.state
        nonisolated(unsafe) let connection = connection
        try WorkerThread.start(name: "sqlite-checkpt", owner: owner) {
            Checkpointer.main(state: state, connection: connection, space: space)
        }
    }

    /// Installs the writer's WAL hook: called after each commit with the WAL's size in pages.
    /// Replaces SQLite's automatic checkpoint. Not retained: the `Database` owns both and
    /// closes the writer's connection before it can go away, and without a `Database` nothing
    /// commits on that connection any more.
    func watch(_ writer: Connection) {
        writer.setWALHook(Unmanaged.passUnretained(self).toOpaque()) { context, db, _, pages in
            guard let context else { return SQLITE_OK }
            let checkpointer = Unmanaged<Checkpointer>.fromOpaque(context).takeUnretainedValue()
            let threshold = checkpointer.threshold
            if checkpointer.space?.isFull == true {
                return SQLITE_OK
            }
            if Int64(pages) >= 2 * Int64(threshold) {
                // Under a steady stream of commits a checkpoint beside the writer never finds the
                // WAL fully copied at a BEGIN, so the writer never restarts it. Past twice the
                // threshold the writer finishes the job itself, as SQLite's own hook would: the
                // pages the background checkpoints copied are not copied again, and once this
                // one completes, the next transaction starts the WAL over.
                sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            } else if pages >= threshold {
                checkpointer.request()
            }
            return SQLITE_OK
        }
    }

    private func request() {
        state.withLockSignal { $0.requested = true }
    }

    /// Stops the thread and closes its connection; returns once it has exited.
    func stop() {
        state.withLockBroadcast { $0.isClosing = true }
        state.wait(until: { $0.hasExited }) { _ in }
    }

    private static func main(state: ConditionLock<State>, connection: Connection, space: StorageSpace?) {
        while state.wait(until: { $0.requested || $0.isClosing }, then: { current -> Bool in
            current.requested = false
            return !current.isClosing
        }) {
            // Best effort: a checkpoint that cannot run now (busy) is asked for again after the
            // next commit, since the WAL is still over the threshold.
            if space?.isFull != true {
                _ = try? connection.queryText("PRAGMA wal_checkpoint(PASSIVE)")
            }
        }
        connection.close()
        state.withLockBroadcast { $0.hasExited = true }
    }
}

public import Logging
import Synchronization

/// Runs every enabled mapping: one worker task per mapping, which polls the stream's shards
/// (parents before children, one batch in flight per shard) and delivers through the target.
///
/// The mappings live in the database (`TriggerStore`); this keeps a copy so workers and the
/// control plane read them without I/O. Changes go through `put` / `remove`.
///
/// Over a shared database (several kvservers, `KVEngine.catalogIsShared`) the copy is re-read
/// every `reloadInterval` (`reload`), so a mapping created, changed or deleted through another
/// node starts, changes or stops here too; and every node runs workers, but only the holder of
/// `SingletonDuty.streamTriggers` reads, delivers and checkpoints (each round asks, and its
/// checkpoint writes are fenced by the duty's lease): a node that dies or stops hands delivery
/// over with the lease, and the new holder resumes after the last checkpoint (at-least-once,
/// each shard in order). SQLite's one process always holds it.
public final class TriggerRunner: Sendable {
    let engine: KVEngine
    let target: any TriggerTarget
    let logger: Logger
    /// Seconds between polls of a stream that had nothing to deliver.
    let pollInterval: Double
    let retryBase: Double
    /// Seconds between re-reads of the stored mappings over a shared database.
    let reloadInterval: Double
    private let state = Mutex<State>(State())

    struct State {
        var mappings: [String: EventSourceMapping] = [:]
        var statuses: [String: TriggerStatus] = [:]
        var workers: [String: (version: Double, task: Task<Void, Never>)] = [:]
        /// Open tumbling windows by "uuid/shard/partition" (in memory: a restart starts them over).
        var windows: [String: TumblingWindow] = [:]
        /// Bumped by every `put`, `remove` and `reload`: a `reload` that read storage before
        /// one of them must not put back what it replaced.
        var generation = 0
        /// When `reload` last re-read the catalog for a mapping whose stream it did not know.
        var catalogRefreshed: ContinuousClock.Instant?
    }

    public init(
        engine: KVEngine, target: any TriggerTarget, logger: Logger, pollInterval: Double = 0.1, retryBase: Double = 0.5,
        reloadInterval: Double = 1
    ) {
        self.engine = engine
        self.target = target
        self.logger = logger
        self.pollInterval = pollInterval
        self.retryBase = retryBase
        self.reloadInterval = reloadInterval
    }

    /// Loads the stored mappings; call once before `run`.
    public func load() async throws {
        let generation = state.withLock { $0.generation }
        let stored = try await engine.prepareTriggerStore()
        await apply(stored, readAt: generation)
    }

    /// Makes the copy the stored mappings (those other nodes created, changed or deleted
    /// included), unless a `put`, `remove` or other `reload` of this process ran meanwhile (the
    /// next reload catches up). A mapping whose stream the catalog cache does not know (its
    /// table created through another node) re-reads the catalog, at most every few seconds: a
    /// mapping of a deleted table stays until it is deleted, and must not re-read it every second.
    public func reload() async throws {
        let generation = state.withLock { $0.generation }
        let stored = try await engine.loadTriggerMappings()
        await apply(stored, readAt: generation)
    }

    /// Makes `stored`, read when the copy was at `generation`, the copy (see `reload`).
    private func apply(_ stored: [EventSourceMapping], readAt generation: Int) async {
        if engine.catalogIsShared, stored.contains(where: { engine.triggerStream(of: $0) == nil }) {
            let now = ContinuousClock.now
            let due = state.withLock { state in
                guard state.catalogRefreshed.map({ now - $0 >= .seconds(5) }) ?? true else { return false }
                state.catalogRefreshed = now
                return true
            }
            if due { await engine.refreshCatalog() }
        }
        let changed = state.withLock { state in
            guard state.generation == generation else { return false }
            // A concurrent reload that read earlier and finishes later must not apply either.
            state.generation += 1
            let byUUID = Dictionary(stored.map { ($0.uuid, $0) }) { _, last in last }
            guard byUUID != state.mappings else { return false }
            for uuid in state.mappings.keys where byUUID[uuid] == nil {
                state.statuses[uuid] = nil
                state.windows = state.windows.filter { !$0.key.hasPrefix(uuid + "/") }
            }
            state.mappings = byUUID
            return true
        }
        if changed { reconcile() }
    }

    public var mappings: [EventSourceMapping] {
        state.withLock { Array($0.mappings.values) }.sorted { $0.uuid < $1.uuid }
    }

    public func mapping(uuid: String) -> EventSourceMapping? {
        state.withLock { $0.mappings[uuid] }
    }

    public func status(uuid: String) -> TriggerStatus {
        state.withLock { $0.statuses[uuid] } ?? TriggerStatus()
    }

    /// Creates or replaces a mapping (stored first, then started).
    public func put(_ mapping: EventSourceMapping) async throws {
        let isNew = self.mapping(uuid: mapping.uuid) == nil
        try await engine.saveTriggerMapping(mapping, isNew: isNew)
        state.withLock { state in
            state.mappings[mapping.uuid] = mapping
            state.generation += 1
        }
        reconcile()
    }

    public func remove(uuid: String) async throws {
        try await engine.deleteTriggerMapping(uuid: uuid)
        state.withLock { state in
            state.mappings[uuid] = nil
            state.generation += 1
            state.statuses[uuid] = nil
            state.windows = state.windows.filter { !$0.key.hasPrefix(uuid + "/") }
        }
        reconcile()
    }

    /// True while `mapping` is still the current, enabled version (a worker stops sending once not).
    func isCurrent(_ mapping: EventSourceMapping) -> Bool {
        state.withLock { state in
            guard let current = state.mappings[mapping.uuid] else { return false }
            return current.enabled && current.lastModified == mapping.lastModified
        }
    }

    /// Starts and stops workers as mappings change (re-reading them over a shared database),
    /// until cancelled.
    public func run() async {
        var reloaded = ContinuousClock.now
        while !Task.isCancelled {
            if engine.catalogIsShared, ContinuousClock.now - reloaded >= .milliseconds(Int(reloadInterval * 1000)) {
                reloaded = ContinuousClock.now
                do {
                    try await reload()
                } catch {
                    logger.warning("trigger.reload_failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
                }
            }
            reconcile()
            try? await Task.sleep(for: .milliseconds(200))
        }
        let tasks = state.withLock { state in
            let tasks = state.workers.values.map(\.task)
            state.workers = [:]
            return tasks
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    func reconcile() {
        state.withLock { state in
            for (uuid, worker) in state.workers {
                let current = state.mappings[uuid]
                if current == nil || current?.enabled == false || current?.lastModified != worker.version {
                    worker.task.cancel()
                    state.workers[uuid] = nil
                }
            }
            for mapping in state.mappings.values where mapping.enabled && state.workers[mapping.uuid] == nil {
                let task = Task { await self.work(mapping) }
                state.workers[mapping.uuid] = (mapping.lastModified, task)
            }
        }
    }

    func window(_ key: String) -> TumblingWindow? {
        state.withLock { $0.windows[key] }
    }

    func setWindow(_ key: String, _ window: TumblingWindow?) {
        state.withLock { $0.windows[key] = window }
    }

    func windowKeys(prefix: String) -> [String] {
        state.withLock { $0.windows.keys.filter { $0.hasPrefix(prefix) }.sorted() }
    }

    func updateStatus(_ uuid: String, _ change: (inout TriggerStatus) -> Void) {
        state.withLock { state in
            var status = state.statuses[uuid] ?? TriggerStatus()
            change(&status)
            state.statuses[uuid] = status
        }
    }

    /// One mapping's loop: each round runs one batch on every shard that may run.
    func work(_ mapping: EventSourceMapping) async {
        while !Task.isCancelled {
            var delivered = false
            do {
                delivered = try await round(mapping)
            } catch is CancellationError {
                return
            } catch {
                logger.warning(
                    "trigger.poll_failed",
                    metadata: ["trigger.uuid": "\(mapping.uuid)", "error": "\(String(describing: error).prefix(200))"])
            }
            if !delivered {
                try? await Task.sleep(for: .milliseconds(Int(pollInterval * 1000)))
            }
        }
    }

    /// Runs one batch on every runnable shard, concurrently, if this process holds
    /// `SingletonDuty.streamTriggers` (its checkpoint writes fenced by it); true if any records
    /// were handled. Checkpoints are read afresh every round: a new holder resumes after the
    /// last one its predecessor wrote.
    func round(_ mapping: EventSourceMapping) async throws -> Bool {
        var handled = false
        try await engine.storage.singleton(.streamTriggers) {
            handled = try await self.roundOnHolder(mapping)
        }
        return handled
    }

    private func roundOnHolder(_ mapping: EventSourceMapping) async throws -> Bool {
        guard let stream = engine.triggerStream(of: mapping) else { return false }
        let shards = try await engine.triggerShards(streamID: stream.id)
        let checkpoints = try await engine.triggerCheckpoints(uuid: mapping.uuid, streamID: stream.id)
        let known = Set(shards.map(\.shard))
        // A shard runs once its parent is finished (or gone: trimmed away).
        let runnable = shards.filter { shard in
            if checkpoints[shard.shard]?.finished == true { return false }
            guard let parent = shard.parent, known.contains(parent) else { return true }
            return checkpoints[parent]?.finished == true
        }
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            for shard in runnable {
                let poller = ShardPoller(
                    runner: self, mapping: mapping, streamID: stream.id, shard: shard, checkpoint: checkpoints[shard.shard])
                group.addTask { try await poller.runOneBatch() }
            }
            var any = false
            for try await handled in group { any = any || handled }
            return any
        }
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import KVStore
public import Logging
public import ServiceLifecycle

/// Runs the triggers (`TriggerRunner`) and keeps the triggers file's mappings in step with the
/// file: read at start, then checked every second; entries whose table has no stream yet wait
/// until it has one. A file that does not parse is logged and the mappings stay as they were.
public struct TriggerService: Service {
    let runner: TriggerRunner
    let engine: KVEngine
    let filePath: String?
    let logger: Logger
    let region: String

    public init(runner: TriggerRunner, engine: KVEngine, filePath: String?, logger: Logger, region: String = "us-east-1") {
        self.runner = runner
        self.engine = engine
        self.filePath = filePath
        self.logger = logger
        self.region = region
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await runner.run() }
                if let filePath {
                    group.addTask { await watch(filePath) }
                }
            }
        }
    }

    func watch(_ path: String) async {
        var lastText: String?
        var pending = false
        while !Task.isCancelled {
            let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
            if let text, text != lastText || pending {
                do {
                    let entries = try TriggersFile.parse(text)
                    pending = try await apply(entries, changed: text != lastText)
                    lastText = text
                } catch let error as MappingError {
                    logger.error("trigger.file_invalid", metadata: ["file": "\(path)", "error": "\(error.message)"])
                    lastText = text
                    pending = false
                } catch {
                    logger.error("trigger.file_failed", metadata: ["file": "\(path)"])
                }
            } else if text == nil, lastText == nil {
                logger.warning("trigger.file_missing", metadata: ["file": "\(path)"])
                lastText = ""
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Makes the file's mappings those of `entries`; true while some entry waits for its stream.
    func apply(_ entries: [TriggersFile.Entry], changed: Bool) async throws -> Bool {
        if !changed, engine.catalogIsShared {
            // Waiting entries over a shared database: their table may have been made through another node.
            await engine.refreshCatalog()
        }
        var pending = false
        var wanted: Set<String> = []
        for entry in entries {
            wanted.insert(entry.uuid)
            let built: EventSourceMapping
            do {
                var mapping = try LambdaControlPlane.newMapping(
                    entry.fields, engine: engine, region: region, origin: .file, uuid: entry.uuid)
                mapping.command = entry.command
                built = mapping
            } catch {
                // Most often: the table or its stream does not exist yet.
                pending = true
                if changed {
                    logger.notice("trigger.file_entry_waiting", metadata: ["trigger.uuid": "\(entry.uuid)", "reason": "\(error.message)"])
                }
                continue
            }
            if var existing = runner.mapping(uuid: entry.uuid) {
                var candidate = built
                candidate.lastModified = existing.lastModified
                if candidate == existing { continue }
                if existing.streamLabel != built.streamLabel {
                    // The table was recreated: a new stream, so start over on it.
                    try await runner.remove(uuid: entry.uuid)
                } else {
                    existing = built
                    try await runner.put(existing)
                    continue
                }
            }
            try await runner.put(built)
        }
        for mapping in runner.mappings where mapping.origin == .file && !wanted.contains(mapping.uuid) {
            try await runner.remove(uuid: mapping.uuid)
        }
        return pending
    }
}

/// A plain name: swift-service-lifecycle names each service with `"\(service)"`, which for a
/// type without a description walks it by reflection (a measurable part of the start-up).
extension TriggerService: CustomStringConvertible {
    public var description: String { "TriggerService" }
}

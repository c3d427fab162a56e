#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// The records of exports or imports: in memory, and one JSON file each under the export
/// directory (`.kvexports`, `.kvimports`), so DescribeExport and ListImports survive a restart.
final class TransferStore<Record: Codable & Sendable>: Sendable {
    let directory: String
    private let records = Mutex<[String: Record]>([:])

    init(directory: String, id: (Record) -> String) {
        self.directory = directory
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var loaded: [String: Record] = [:]
        let decoder = JSONDecoder()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name),
                let record = try? decoder.decode(Record.self, from: data)
            else { continue }
            loaded[id(record)] = record
        }
        records.withLock { $0 = loaded }
    }

    func record(_ id: String) -> Record? { records.withLock { $0[id] } }

    func all() -> [Record] { records.withLock { Array($0.values) } }

    func save(_ record: Record, id: String) {
        records.withLock { $0[id] = record }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let data = try? encoder.encode(record) {
            try? data.write(to: URL(fileURLWithPath: directory + "/" + id + ".json"), options: .atomic)
        }
    }
}

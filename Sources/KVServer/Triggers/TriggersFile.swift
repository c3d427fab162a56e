#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KVStore

/// The triggers file (`kvserver --triggers FILE`), JSON or YAML:
///
///     {"EventSourceMappings": [{"TableName": "orders", "FunctionName": "http://127.0.0.1:9000/",
///                               "StartingPosition": "TRIM_HORIZON", "BatchSize": 10}]}
///
/// Each entry has the fields of a CreateEventSourceMapping request, plus `TableName` (the
/// table's latest stream, instead of `EventSourceArn`) and `Command` (a local program run per
/// batch with the event on stdin, instead of `FunctionName`), and optionally a fixed `UUID`.
enum TriggersFile {
    struct Entry: Sendable, Equatable {
        var uuid: String
        var fields: [String: JSONValue]
        var command: [String]?
    }

    /// Parses the file's text; throws a message naming what is wrong.
    static func parse(_ text: String) throws(MappingError) -> [Entry] {
        // JSON is YAML too; a JSON file is read by the server's own JSON parser first.
        let root: JSONValue
        if let parsed = try? JSONParser.parse(Array(text.utf8)) {
            root = parsed
        } else {
            do {
                root = try YAMLDocument.parse(text)
            } catch {
                throw .invalid("The triggers file is neither JSON nor YAML: \(error.message).")
            }
        }
        guard case .object(let top) = root else {
            throw .invalid("The triggers file must hold an object with EventSourceMappings.")
        }
        guard let list = top["EventSourceMappings"] else { return [] }
        guard case .array(let items) = list else { throw .invalid("EventSourceMappings must be a list.") }
        var entries: [Entry] = []
        for (index, item) in items.enumerated() {
            guard case .object(var fields) = item else { throw .invalid("EventSourceMappings[\(index)] must be an object.") }
            var command: [String]?
            if let value = fields.removeValue(forKey: "Command") {
                guard case .array(let parts) = value, !parts.isEmpty else {
                    throw .invalid("EventSourceMappings[\(index)].Command must be a non-empty list of strings.")
                }
                var words: [String] = []
                for part in parts {
                    guard case .string(let word) = part else {
                        throw .invalid("EventSourceMappings[\(index)].Command must be a list of strings.")
                    }
                    words.append(word)
                }
                command = words
                if fields["FunctionName"] == nil { fields["FunctionName"] = .string(words.joined(separator: " ")) }
            }
            guard case .string(let function) = fields["FunctionName"] else {
                throw .invalid("EventSourceMappings[\(index)] needs FunctionName or Command.")
            }
            if fields["EventSourceArn"] == nil && fields["TableName"] == nil {
                throw .invalid("EventSourceMappings[\(index)] needs TableName or EventSourceArn.")
            }
            if fields["StartingPosition"] == nil { fields["StartingPosition"] = .string("TRIM_HORIZON") }
            var uuid: String
            if case .string(let given) = fields.removeValue(forKey: "UUID") {
                uuid = given
            } else {
                let source: String
                switch (fields["TableName"], fields["EventSourceArn"]) {
                case (.string(let table), _): source = "table:" + table
                case (_, .string(let arn)): source = "arn:" + arn
                default: source = ""
                }
                uuid = Self.uuid(from: "trigger|\(source)|\(function)")
            }
            if entries.contains(where: { $0.uuid == uuid }) {
                uuid = Self.uuid(from: "trigger|\(uuid)|\(index)")
            }
            entries.append(Entry(uuid: uuid, fields: fields, command: command))
        }
        return entries
    }

    /// A stable UUID-shaped id from a text, so a file entry keeps its checkpoints across restarts.
    static func uuid(from seed: String) -> String {
        let hex = Array(StreamWire.eventID(seed))
        let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32]
        return groups.map { String(hex[$0]) }.joined(separator: "-")
    }

}

/// INCREMENTAL_EXPORT: the items that changed between two times, from the PITR change log.
///
/// Each changed item is one line `{"Metadata":{"WriteTimestampMicros":{"N":"..."}},"Keys":{...},
/// "OldImage":{...},"NewImage":{...}}` (in ION: `$ion_1_0 {Metadata:{WriteTimestampMicros:...},...}`): its last write in the window, its key, the item as it was
/// at ExportFromTime (with NEW_AND_OLD_IMAGES) and at ExportToTime (absent when deleted).
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html
public struct IncrementalExport: Sendable, Hashable, Codable {
    public enum ViewType: String, Sendable, Hashable, Codable {
        case newImage = "NEW_IMAGE"
        case newAndOldImages = "NEW_AND_OLD_IMAGES"
    }

    public var from: Double
    public var to: Double
    public var viewType: ViewType

    public init(from: Double, to: Double, viewType: ViewType) {
        self.from = from
        self.to = to
        self.viewType = viewType
    }
}

extension KVEngine {
    /// Writes the changes of `table` within `window` to a gzip data file, in one read transaction.
    /// - Returns: the number of lines and the DynamoDB size of the new images.
    func writeIncrementalData(
        tableName: String, storageID: Int64, window: IncrementalExport, to path: String,
        format: ExportFormat
    ) async throws -> (count: Int64, size: Int64) {
        try await storage.read { connection in
            guard let table = self.catalog.table(named: tableName), table.storageID == storageID else {
                throw KVError(.tableNotFound, "Table not found: \(tableName)")
            }
            let from = ChangeLog.milliseconds(window.from)
            let to = ChangeLog.milliseconds(window.to)
            let changed = try connection.changedKeys(of: table, afterMillis: from, upToMillis: to)
            guard !changed.isEmpty else {
                let output = try CompressedFile(path: path, mode: "wb")
                try output.close()
                return (0, 0)
            }
            let atFrom = try connection.changeLogState(of: table, atMillis: from)
            let atTo = try connection.changeLogState(of: table, atMillis: to)
            let store = try connection.items(table)
            let output = try CompressedFile(path: path, mode: "wb")
            var count: Int64 = 0
            var size: Int64 = 0
            for (key, at) in changed {
                let old = try (atFrom[key] ?? nil).map(ItemCodec.decode)
                let new: Item?
                if let then = atTo[key] { new = try then.map(ItemCodec.decode) } else { new = try store.fetch(key) }
                guard old != nil || new != nil, old != new else { continue }
                let metadata = format.object([("WriteTimestampMicros", format.encodeMicros(at * 1000))])
                var fields: [(name: String, value: [UInt8])] = [
                    ("Metadata", metadata),
                    ("Keys", format.encodeItem(KeyValidator.keyAttributes(of: new ?? old ?? [:], schema: table.keySchema))),
                ]
                if let old, window.viewType == .newAndOldImages {
                    fields.append(("OldImage", format.encodeItem(old)))
                }
                if let new {
                    fields.append(("NewImage", format.encodeItem(new)))
                    size += Int64(ItemSize.of(new))
                }
                try output.write(format.line(fields))
                count += 1
            }
            try output.close()
            return (count, size)
        }
    }
}

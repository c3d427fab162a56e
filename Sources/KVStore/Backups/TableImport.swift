import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ImportTable's parameters after the protocol layer checked their shapes.
public struct ImportRequest: Sendable {
    public var bucket: String
    public var keyPrefix: String?
    /// DYNAMODB_JSON, ION or CSV.
    public var inputFormat: String
    /// GZIP or NONE (read alike: zlib reads uncompressed files as they are), or ZSTD.
    public var compression: String
    public var clientToken: String?
    public var table: CreateTableRequest
    /// CSV: the field delimiter (`InputFormatOptions.Csv.Delimiter`, default comma) and the
    /// header (`HeaderList`; nil: each file's first line).
    public var csvDelimiter: UInt8 = UInt8(ascii: ",")
    public var csvHeader: [String]?
    /// One DYNAMODB_JSON input line (`{"Item": {...}}`) to an item (the wire format lives in the
    /// protocol layer).
    public var decodeLine: @Sendable ([UInt8]) throws -> Item

    public init(
        bucket: String, keyPrefix: String?, inputFormat: String, compression: String, clientToken: String?, table: CreateTableRequest,
        decodeLine: @escaping @Sendable ([UInt8]) throws -> Item
    ) {
        self.decodeLine = decodeLine
        self.bucket = bucket
        self.keyPrefix = keyPrefix
        self.inputFormat = inputFormat
        self.compression = compression
        self.clientToken = clientToken
        self.table = table
    }
}

/// ImportTable, DescribeImport, ListImports.
extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ImportTable.html
    /// Creates the table (with its indexes) and loads every object under
    /// `--export-dir`/<bucket>/<key prefix>: one item per line; lines that cannot be read or
    /// whose keys do not fit the table count in `ErrorCount` and are skipped, as DynamoDB does.
    /// Answers IN_PROGRESS with the table CREATING; the items are loaded in the background.
    public func importTable(_ request: ImportRequest) async throws -> ImportRecord {
        if let token = request.clientToken, let previous = imports.all().first(where: { $0.clientToken == token }) {
            guard previous.tableName == request.table.tableName else {
                throw KVError(.importConflict, "There was a conflict when importing from the specified S3 source.")
            }
            return previous
        }
        let bucketPath = exportsDirectory + "/" + request.bucket
        let files = Self.objects(under: bucketPath, keyPrefix: request.keyPrefix ?? "")
        let created = try await createTable(request.table, restoring: nil, importing: true)
        let started = now()
        let record = ImportRecord(
            id: BackupStore.newID(now: started), tableName: request.table.tableName, tableID: created.definition.tableID,
            status: .inProgress, bucket: request.bucket, keyPrefix: request.keyPrefix, inputFormat: request.inputFormat,
            compression: request.compression, clientToken: request.clientToken, startTime: started, endTime: nil,
            processedSizeBytes: 0, processedItemCount: 0, importedItemCount: 0, errorCount: 0)
        imports.save(record, id: record.id)
        jobs.start { [self] in
            var finished = record
            await loadImport(request, files: files, into: created.definition, record: &finished)
            finished.endTime = now()
            imports.save(finished, id: record.id)
        }
        return record
    }

    /// The work of an import, in the background: every file read and its items written, a batch
    /// per transaction; then the table turns ACTIVE and the import COMPLETED or FAILED.
    private func loadImport(
        _ request: ImportRequest, files: [String], into definition: TableDefinition, record: inout ImportRecord
    ) async {
        var batch: [(StorageKey, Item)] = []
        func flush() async throws {
            let items = batch
            batch = []
            guard !items.isEmpty else { return }
            try await storage.write { connection in
                let store = try self.itemStore(definition, connection)
                for (key, item) in items {
                    let old = store.needsOldItem ? try store.fetch(key) : nil
                    try store.write(key, old: old, new: item, newSize: ItemSize.of(item))
                }
            }
        }
        do {
            if files.isEmpty {
                record.failureCode = "InvalidS3Source"
                record.failureMessage = "No objects found under the given S3 bucket and key prefix"
            }
            for file in files {
                record.processedSizeBytes += Self.fileSize(file) ?? 0
                // Decompressing and parsing a file blocks: on a reader thread, never on an event loop.
                let entries = try await storage.read { _ in
                    try Self.readEntries(of: file, request: request, table: definition)
                }
                for entry in entries {
                    record.processedItemCount += 1
                    guard let item = entry, ItemSize.of(item) <= Self.maxItemSize,
                        (try? IndexKeys.validate(item, for: definition)) != nil,
                        let key = try? KeyValidator.keyOfItem(item, schema: definition.keySchema)
                    else {
                        record.errorCount += 1
                        continue
                    }
                    batch.append((key, item))
                    record.importedItemCount += 1
                    if batch.count >= Self.restoreBatchSize { try await flush() }
                }
            }
            try await flush()
            record.status = record.failureCode == nil ? .completed : .failed
        } catch {
            record.status = .failed
            record.failureCode = "InternalError"
            record.failureMessage = "The import could not be completed"
        }
        do {
            try await finishLoading(definition)
        } catch {
            logger.error("kv.import.finish.failed", metadata: ["kv.table": "\(definition.name)"])
        }
    }

    /// The files under `root` whose S3 key (path relative to `root`) starts with `keyPrefix`,
    /// in key order; an export's manifests and checksum files are not data and are left out.
    static func objects(under root: String, keyPrefix: String) -> [String] {
        let keys = relativePaths(under: root)
        return keys.sorted().filter { key in
            guard key.hasPrefix(keyPrefix), fileSize(root + "/" + key) != nil else { return false }
            let name = key.split(separator: "/").last.map(String.init) ?? key
            return !name.hasPrefix("manifest-") && !name.hasSuffix(".md5") && !name.hasSuffix(".checksum")
                && name != "_started" && !name.hasSuffix(".items")
                && !key.hasPrefix(".")
        }.map { root + "/" + $0 }
    }

    /// The items of one input file, nil for each record that cannot be read.
    static func readEntries(
        of file: String, request: ImportRequest, table: TableDefinition
    ) throws -> [Item?] {
        let decodeLine = request.decodeLine
        let input: any ByteSource =
            request.compression == "ZSTD" ? try ZstdInputFile(path: file) : try CompressedFile(path: file, mode: "rb")
        var entries: [Item?] = []
        switch request.inputFormat {
        case "CSV":
            var rows = CSVInput.records(try input.readAll(limit: Int.max), delimiter: request.csvDelimiter)
            let header = request.csvHeader ?? (rows.isEmpty ? [] : rows.removeFirst())
            entries = rows.map {
                CSVInput.item($0, header: header, definitions: table.attributeDefinitions, keySchema: table.keySchema)
            }
        case "ION":
            // A value that cannot be read is one error; reading goes on at the next line.
            var reader = IonTextReader(try input.readAll(limit: Int.max))
            while true {
                do {
                    guard let item = try reader.nextItem() else { break }
                    entries.append(item)
                } catch {
                    entries.append(nil)
                    reader.skipLine()
                }
            }
        default:
            try input.forEachLine { line in
                if !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { entries.append(try? decodeLine(line)) }
            }
        }
        return entries
    }

    /// Every path under `root`, relative to it (directories walked, symbolic links not followed).
    static func relativePaths(under root: String, depth: Int = 0) -> [String] {
        guard depth < 32, let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        var result: [String] = []
        for name in names {
            var info = stat()
            guard lstat(root + "/" + name, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                result += relativePaths(under: root + "/" + name, depth: depth + 1).map { name + "/" + $0 }
            } else {
                result.append(name)
            }
        }
        return result
    }

    /// The size of a regular file; nil for anything else.
    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeImport.html
    public func describeImport(id: String, reference: String) throws(KVError) -> ImportRecord {
        guard let record = imports.record(id) else { throw KVError(.importNotFound, "Import not found: \(reference)") }
        return record
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListImports.html
    public func listImports(tableName: String?, limit: Int, after: String?) -> (imports: [ImportRecord], next: String?) {
        let matching = imports.all()
            .filter { record in (tableName == nil || record.tableName == tableName) && (after.map { record.id > $0 } ?? true) }
            .sorted { $0.id < $1.id }
        guard matching.count > limit else { return (matching, nil) }
        let page = Array(matching.prefix(limit))
        return (page, page.last?.id)
    }
}

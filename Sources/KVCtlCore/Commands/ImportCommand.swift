import ArgumentParser
import Foundation
import KVServer
import KVStore

/// `kvctl import TABLE --file F`: BatchWriteItem in groups of 25 (PutItem if the endpoint has
/// no BatchWriteItem), retrying unprocessed items with backoff.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Load items from an export file or JSON lines.",
        discussion: """
            Each non-blank line is either {"Item": {...DynamoDB JSON...}} (kvctl export, DynamoDB's
            export to S3) or one item in plain JSON (DynamoDB JSON with --raw). gzip files are
            recognised by their content. Existing items with the same key are replaced.
            With --s3-bucket instead, the server creates the table (--hash, --range, on-demand)
            and imports every object under the bucket and prefix itself (ImportTable): from S3
            on DynamoDB, from its --export-dir on kvserver.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var items: ItemFormatOptions

    @Argument(help: "Table name.")
    var table: String

    @Option(help: ArgumentHelp("The file to read.", valueName: "file"))
    var file: String?

    @Option(help: ArgumentHelp("Have the server import this S3 bucket's objects into a new table (ImportTable).", valueName: "bucket"))
    var s3Bucket: String?

    @Option(help: ArgumentHelp("Key prefix of the objects to import.", valueName: "prefix"))
    var s3Prefix: String?

    @Option(help: ArgumentHelp("With --s3-bucket: the new table's partition key, e.g. pk:S.", valueName: "attr:type"))
    var hash: KeyAttributeSpec?

    @Option(help: ArgumentHelp("With --s3-bucket: the new table's sort key, e.g. sk:N.", valueName: "attr:type"))
    var range: KeyAttributeSpec?

    @Option(help: ArgumentHelp("With --s3-bucket: DYNAMODB_JSON (default), ION or CSV.", valueName: "format"))
    var inputFormat: String?

    @Option(help: ArgumentHelp("With --s3-bucket: GZIP, ZSTD or NONE (default; kvserver reads GZIP and NONE alike).", valueName: "type"))
    var inputCompression: String?

    func validate() throws {
        if (file == nil) == (s3Bucket == nil) { throw ValidationError("Give either --file or --s3-bucket") }
        if s3Bucket != nil && hash == nil { throw ValidationError("--s3-bucket needs --hash ATTR:TYPE for the new table") }
        if s3Bucket == nil && (hash != nil || range != nil || s3Prefix != nil || inputFormat != nil || inputCompression != nil) {
            throw ValidationError("--hash, --range, --s3-prefix, --input-format and --input-compression go with --s3-bucket")
        }
    }

    func run() async throws {
        let client = try global.client()
        if let s3Bucket, let hash {
            try await importFromBucket(s3Bucket, hash: hash, client: client)
            return
        }
        let file = self.file ?? "-"
        let info = try await TableInfo.fetch(table, client: client)
        let total = Terminal.stderrIsTTY ? try LineReader.countLines(path: file) : nil
        let progress = ProgressBar(label: "import", total: total)
        var writer = BatchWriter(table: table, keyNames: info.keyNames, client: client, progress: progress)
        let reader = try LineReader(path: file)
        let codec = items.codec
        var lineNumber = 0
        while let line = try reader.next() {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let item: Item
            do {
                item = try Self.decodeLine(line, codec: codec)
            } catch let error as CLIError {
                throw CLIError("\(file):\(lineNumber): \(error.message)")
            }
            try await writer.add(item)
        }
        try await writer.flush()
        progress.finish()
    }

    /// ImportTable: the server creates the table and loads the bucket's objects.
    private func importFromBucket(_ bucket: String, hash: KeyAttributeSpec, client: DynamoDBClient) async throws {
        let keys = [hash] + (range.map { [$0] } ?? [])
        var source: [String: JSONValue] = ["S3Bucket": .string(bucket)]
        if let s3Prefix { source["S3KeyPrefix"] = .string(s3Prefix) }
        let response = try await client.call(
            "ImportTable",
            .object([
                "S3BucketSource": .object(source),
                "InputFormat": .string((inputFormat ?? "DYNAMODB_JSON").uppercased()),
                "InputCompressionType": .string((inputCompression ?? "NONE").uppercased()),
                "TableCreationParameters": .object([
                    "TableName": .string(table), "BillingMode": .string("PAY_PER_REQUEST"),
                    "KeySchema": .array(
                        keys.enumerated().map { index, key in
                            .object(["AttributeName": .string(key.name), "KeyType": .string(index == 0 ? "HASH" : "RANGE")])
                        }),
                    "AttributeDefinitions": .array(
                        keys.map { .object(["AttributeName": .string($0.name), "AttributeType": .string($0.type)]) }),
                ]),
            ]))
        var description = response["ImportTableDescription"] ?? .object([:])
        if let arn = description["ImportArn"] { description = try await AsyncCompletion.importTable(client, arn: arn) }
        global.printer.document(
            description,
            table: TableText.pairs(
                [("Status", "ImportStatus"), ("Imported", "ImportedItemCount"), ("Errors", "ErrorCount"), ("ARN", "ImportArn")].map {
                    ($0.0, description[$0.1].map(TableText.cell) ?? "")
                }))
    }

    /// An export line (`{"Item": <DynamoDB JSON>}`) or one item in the chosen format.
    static func decodeLine(_ line: [UInt8], codec: ItemCodecChoice) throws -> Item {
        let json: JSONValue
        do {
            json = try JSONParser.parse(line)
        } catch {
            throw CLIError("not valid JSON: \(error)")
        }
        if let members = json.objectValue, members.count == 1, let inner = members["Item"], inner.objectValue != nil,
            let item = try? ItemJSON.item(fromWire: inner)
        {
            return item
        }
        return try codec.item(from: json, what: "item")
    }
}

/// Groups puts into BatchWriteItem calls of at most 25 distinct keys.
struct BatchWriter {
    static let batchSize = 25
    static let maxRetries = 10

    let table: String
    let keyNames: [String]
    let client: DynamoDBClient
    let progress: ProgressBar
    private var batch: [Item] = []
    private var keysInBatch: Set<[AttributeValue?]> = []
    /// Set once the endpoint answers UnknownOperationException for BatchWriteItem.
    private var usePutItem = false

    init(table: String, keyNames: [String], client: DynamoDBClient, progress: ProgressBar) {
        self.table = table
        self.keyNames = keyNames
        self.client = client
        self.progress = progress
    }

    mutating func add(_ item: Item) async throws {
        let key = keyNames.map { item[$0] }
        // BatchWriteItem refuses two requests for one key in the same call.
        if keysInBatch.contains(key) { try await flush() }
        batch.append(item)
        keysInBatch.insert(key)
        if batch.count >= Self.batchSize { try await flush() }
    }

    mutating func flush() async throws {
        guard !batch.isEmpty else { return }
        let items = batch
        batch.removeAll()
        keysInBatch.removeAll()
        if !usePutItem {
            do {
                try await batchWrite(items)
                return
            } catch let error as ServiceError where error.type == "UnknownOperationException" {
                usePutItem = true
            }
        }
        // The batch has distinct keys, so its puts may run concurrently.
        let client = client
        let table = table
        try await withThrowingTaskGroup(of: Void.self) { group in
            for item in items {
                group.addTask {
                    _ = try await client.call(
                        "PutItem", .object(["TableName": .string(table), "Item": ItemJSON.wire(item)]))
                }
            }
            try await group.waitForAll()
        }
        progress.advance(by: items.count)
    }

    private func batchWrite(_ items: [Item]) async throws {
        var requests: [JSONValue] = items.map { .object(["PutRequest": .object(["Item": ItemJSON.wire($0)])]) }
        var attempt = 0
        while !requests.isEmpty {
            let response = try await client.call(
                "BatchWriteItem", .object(["RequestItems": .object([table: .array(requests)])]))
            let unprocessed = response["UnprocessedItems"]?[table]?.arrayValue ?? []
            progress.advance(by: requests.count - unprocessed.count)
            requests = unprocessed
            guard !requests.isEmpty else { break }
            attempt += 1
            guard attempt <= Self.maxRetries else {
                throw CLIError("\(requests.count) items stayed unprocessed after \(Self.maxRetries) retries")
            }
            // Exponential backoff with jitter, capped at 5 s.
            let base = min(5_000, 50 << min(attempt, 7))
            try await Task.sleep(nanoseconds: UInt64(Int.random(in: base / 2...base)) * 1_000_000)
        }
    }
}

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
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var items: ItemFormatOptions

    @Argument(help: "Table name.")
    var table: String

    @Option(help: ArgumentHelp("The file to read.", valueName: "file"))
    var file: String

    func run() async throws {
        let client = try global.client()
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

import ArgumentParser
import KVServer

/// Flags shared by query and scan: expression attributes, index, limit.
struct ExpressionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Filter applied after reading (FilterExpression).", valueName: "expr"))
    var filter: String?

    @Option(help: ArgumentHelp("Expression attribute values as a JSON object, e.g. '{\":p\": \"a\"}'.", valueName: "json"))
    var values: String?

    @Option(help: ArgumentHelp("Expression attribute names as a JSON object, e.g. '{\"#n\": \"name\"}'.", valueName: "json"))
    var names: String?

    @Option(help: ArgumentHelp("Read this secondary index instead of the table.", valueName: "name"))
    var index: String?

    @Option(help: ArgumentHelp("Stop after this many items (pages are followed until then).", valueName: "n"))
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    /// The request members these flags set.
    func requestMembers(codec: ItemCodecChoice) throws -> [String: JSONValue] {
        var request: [String: JSONValue] = [:]
        if let filter { request["FilterExpression"] = .string(filter) }
        if let index { request["IndexName"] = .string(index) }
        if let values {
            request["ExpressionAttributeValues"] = try codec.values(from: try parseJSON(values, what: "--values"))
        }
        if let names {
            let parsed = try parseJSON(names, what: "--names")
            guard let members = parsed.objectValue, members.values.allSatisfy({ $0.stringValue != nil }) else {
                throw CLIError.usage("--names must be a JSON object of strings")
            }
            request["ExpressionAttributeNames"] = parsed
        }
        return request
    }
}

/// Runs Query or Scan page by page, following LastEvaluatedKey until `limit` items.
func readPages(
    operation: String, request: [String: JSONValue], limit: Int?, client: DynamoDBClient,
    codec: ItemCodecChoice, sink: ItemSink
) async throws {
    var request = request
    var remaining = limit
    while true {
        if let remaining { request["Limit"] = .number(String(min(remaining, 1000))) }
        let response = try await client.call(operation, .object(request))
        for item in response["Items"]?.arrayValue ?? [] {
            if let left = remaining, left <= 0 { break }
            sink.add(try codec.present(item))
            remaining = remaining.map { $0 - 1 }
        }
        if let left = remaining, left <= 0 { break }
        guard let last = response["LastEvaluatedKey"], last.objectValue?.isEmpty == false else { break }
        request["ExclusiveStartKey"] = last
    }
    sink.finish()
}

/// Key attribute names for table output (table key first, then the index key).
func columnOrder(table: String, index: String?, format: OutputFormat, client: DynamoDBClient) async -> [String] {
    guard format == .table, let info = try? await TableInfo.fetch(table, client: client) else { return [] }
    var names: [String] = []
    if let index {
        for field in ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"] {
            for definition in info.description[field]?.arrayValue ?? []
            where definition["IndexName"]?.stringValue == index {
                names += TableInfo.keyNames(definition["KeySchema"])
            }
        }
    }
    for name in info.keyNames where !names.contains(name) { names.append(name) }
    return names
}

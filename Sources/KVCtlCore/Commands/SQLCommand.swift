import ArgumentParser
import KVServer
import KVStore

/// `kvctl sql "SELECT ..."`: one PartiQL statement (ExecuteStatement), following NextToken.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html
struct SQLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql", abstract: "Run one PartiQL statement and print the items it returns.",
        discussion: """
            Each --param binds the next ? of the statement, in order (plain JSON, or DynamoDB JSON with --raw).
            Example: kvctl sql "SELECT * FROM orders WHERE pk = ? AND total > ?" --param '"a"' --param 10
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var items: ItemFormatOptions

    @Argument(help: "The PartiQL statement.")
    var statement: String

    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter value, bound to the next ?.", valueName: "json"))
    var parameters: [String] = []

    @Option(help: ArgumentHelp("Stop after this many items (pages are followed until then).", valueName: "n"))
    var limit: Int?

    @Flag(help: "Strongly consistent read.")
    var consistentRead = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let client = try global.client()
        var request: [String: JSONValue] = ["Statement": .string(statement)]
        if !parameters.isEmpty {
            request["Parameters"] = .array(try parameters.enumerated().map { offset, text in
                let json = try parseJSON(text, what: "--param")
                let value =
                    items.raw
                    ? try AttributeValueWire.decode(json)
                    : try ItemJSON.attribute(fromPlain: json, path: "--param \(offset + 1)")
                return AttributeValueWire.encode(value)
            })
        }
        if consistentRead { request["ConsistentRead"] = .bool(true) }
        let source = PartiQLStatementInfo.source(of: statement)
        let order =
            if let source {
                await columnOrder(table: source.table, index: source.index, format: global.format, client: client)
            } else { [String]() }
        let sink = global.printer.itemSink(keyOrder: order)
        var remaining = limit
        while true {
            let response = try await client.call("ExecuteStatement", .object(request))
            for item in response["Items"]?.arrayValue ?? [] {
                if let left = remaining, left <= 0 { break }
                sink.add(try items.codec.present(item))
                remaining = remaining.map { $0 - 1 }
            }
            if let left = remaining, left <= 0 { break }
            guard let token = response["NextToken"]?.stringValue else { break }
            request["NextToken"] = .string(token)
        }
        sink.finish()
    }
}

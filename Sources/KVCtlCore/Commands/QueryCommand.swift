import ArgumentParser
import KVServer

/// `kvctl query TABLE --where ...`: Query, following pages.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Read the items of one partition, optionally a range of sort keys.",
        discussion: """
            Example: kvctl query orders --where "pk = :p AND sk > :s" --values '{":p": "a", ":s": 3}'
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var items: ItemFormatOptions

    @Argument(help: "Table name.")
    var table: String

    @Option(name: .customLong("where"), help: ArgumentHelp("Key condition (KeyConditionExpression).", valueName: "expr"))
    var keyCondition: String

    @OptionGroup var expression: ExpressionOptions

    @Flag(help: "Descending sort key order.")
    var desc = false

    func run() async throws {
        let client = try global.client()
        var request = try expression.requestMembers(codec: items.codec)
        request["TableName"] = .string(table)
        request["KeyConditionExpression"] = .string(keyCondition)
        if desc { request["ScanIndexForward"] = .bool(false) }
        let order = await columnOrder(table: table, index: expression.index, format: global.format, client: client)
        try await readPages(
            operation: "Query", request: request, limit: expression.limit, client: client, codec: items.codec,
            sink: global.printer.itemSink(keyOrder: order))
    }
}

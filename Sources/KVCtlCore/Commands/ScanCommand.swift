import ArgumentParser
import KVServer

/// `kvctl scan TABLE`: Scan, following pages.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan", abstract: "Read every item of a table or index, optionally filtered.",
        discussion: """
            Example: kvctl scan users --filter "age >= :a" --values '{":a": 18}' --limit 10
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var items: ItemFormatOptions

    @Argument(help: "Table name.")
    var table: String

    @OptionGroup var expression: ExpressionOptions

    func run() async throws {
        let client = try global.client()
        var request = try expression.requestMembers(codec: items.codec)
        request["TableName"] = .string(table)
        let order = await columnOrder(table: table, index: expression.index, format: global.format, client: client)
        try await readPages(
            operation: "Scan", request: request, limit: expression.limit, client: client, codec: items.codec,
            sink: global.printer.itemSink(keyOrder: order))
    }
}

import ArgumentParser
import KVServer

/// `kvctl table describe NAME`: DescribeTable's `Table`, summarised on a terminal.
struct TableDescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "describe", abstract: "Show a table's definition and status.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Table name.")
    var name: String

    func run() async throws {
        let info = try await TableInfo.fetch(name, client: global.client())
        global.printer.document(info.description, table: info.summary)
    }
}

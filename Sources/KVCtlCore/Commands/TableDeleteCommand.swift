import ArgumentParser
import KVServer

/// `kvctl table delete NAME`.
struct TableDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a table and all its items.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Table name.")
    var name: String

    func run() async throws {
        _ = try await global.client().call("DeleteTable", .object(["TableName": .string(name)]))
    }
}

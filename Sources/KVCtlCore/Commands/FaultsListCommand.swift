import ArgumentParser
import KVServer

/// `kvctl faults list`: the fault rules in force.
struct FaultsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the fault rules in force.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let answer = try await global.adminClient().send("GET", path: FaultsCommand.path)
        global.printer.document(answer, table: FaultsCommand.rows(answer))
    }
}

import ArgumentParser
import KVServer

/// `kvctl faults clear`: removes every fault rule (injection off).
struct FaultsClearCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clear", abstract: "Remove every fault rule.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let answer = try await global.adminClient().send("DELETE", path: FaultsCommand.path)
        global.printer.document(answer, table: FaultsCommand.rows(answer))
    }
}

import ArgumentParser

/// `kvctl table ...`: the table lifecycle.
struct TableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table",
        abstract: "List, describe, create and delete tables.",
        subcommands: [TableListCommand.self, TableDescribeCommand.self, TableCreateCommand.self, TableDeleteCommand.self]
    )
}

import ArgumentParser

/// `kvctl stream ...`: DynamoDB Streams.
struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream", abstract: "Read a table's change stream.", subcommands: [StreamTailCommand.self])
}

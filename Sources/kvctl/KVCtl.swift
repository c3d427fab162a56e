import ArgumentParser

/// The admin CLI; commands arrive with the kvctl issue.
@main
struct KVCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kvctl", abstract: "Administer a DynamoDB-compatible server.")
}

import ArgumentParser
import Foundation
import KVServer

/// `kvctl faults ...`: the fault injection rules of a running kvserver (`/admin/faults`).
struct FaultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faults", abstract: "Inject faults into a running server's requests (set, list, clear).",
        discussion: """
            Rules make matching requests fail with a DynamoDB error, wait, or lose their connection \
            before or after the write commits. See the README section "Fault injection" for the format.
            """,
        subcommands: [FaultsSetCommand.self, FaultsListCommand.self, FaultsClearCommand.self])

    static let path = "/admin/faults"

    /// One line per rule for people.
    static func rows(_ answer: JSONValue) -> String {
        let rules = answer["faults"]?.arrayValue ?? []
        let header = ["Operation", "Table", "When", "Effect"]
        let rows = rules.map { rule -> [String] in
            var when = rule["probability"].map { "probability " + JSONRender.compact($0) }
                ?? rule["everyNth"].map { "every " + JSONRender.compact($0) } ?? "always"
            if let from = rule["from"] { when += " from " + JSONRender.compact(from) }
            if let until = rule["until"] { when += " until " + JSONRender.compact(until) }
            var effects: [String] = []
            if let error = rule["error"]?.stringValue { effects.append(error) }
            if let drop = rule["drop"]?.stringValue { effects.append("drop " + drop) }
            if let latency = rule["latencyMs"] { effects.append("+" + JSONRender.compact(latency) + " ms") }
            return [
                rule["operation"]?.stringValue ?? "*", rule["table"]?.stringValue ?? "*", when,
                effects.joined(separator: ", "),
            ]
        }
        return TableText.render(header: header, rows: rows)
    }
}

extension GlobalOptions {
    /// A REST client for kvserver's `/admin` paths, signed for service `dynamodb`.
    func adminClient() throws -> LambdaClient {
        var client = try lambdaClient()
        let credentials = SigV4Signer.Credentials.fromEnvironment(ProcessInfo.processInfo.environment)
        client.signer = SigV4Signer(credentials: credentials, region: resolvedRegion, service: "dynamodb")
        return client
    }
}

import ArgumentParser
import Foundation
import KVServer

/// `kvctl auth check|simulate`: the server's auth file and policies, offline.
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth", abstract: "Check an auth file, and simulate its policies.",
        subcommands: [AuthCheckCommand.self, AuthSimulateCommand.self])
}

/// `kvctl auth check --file F`: the server's own parser and validation, so a file that passes
/// here loads in kvserver (`--auth F`) and one that fails says where.
struct AuthCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate an auth file and its policies.",
        discussion: """
            Parses FILE exactly as kvserver --auth does (identities, keys, policy grammar) and prints
            its identities, or what is wrong and where (e.g. identities[0].policies[1].Statement[0].Effect).
            Secrets are never printed. Exits 1 when the file is not valid.
            """)

    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The auth file.", valueName: "file"))
    var file: String

    func run() async throws {
        let configuration: AuthConfiguration
        do {
            configuration = try AuthFileReloader.load(file)
        } catch {
            throw CLIError("\(file): \(error.description)")
        }
        let now = Date().timeIntervalSince1970
        var rows: [[String]] = []
        var identities: [JSONValue] = []
        for (index, identity) in configuration.identities.enumerated() {
            let keys = configuration.keys.filter { $0.value.identity == index }.sorted { $0.key < $1.key }
            let keyDocuments: [JSONValue] = keys.map { id, key in
                var fields: [String: JSONValue] = [
                    "accessKeyId": .string(id), "sessionToken": .bool(key.credential.sessionToken != nil),
                ]
                if let notAfter = key.credential.notAfter {
                    fields["notAfter"] = .string(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(notAfter))))
                    fields["expired"] = .bool(Double(notAfter) < now)
                }
                return .object(fields)
            }
            identities.append(
                .object([
                    "arn": .string(identity.arn), "keys": .array(keyDocuments),
                    "policies": .number(String(identity.policies.count)),
                ]))
            let keyText = keys.map { id, key in
                key.credential.notAfter.map { Double($0) < now ? "\(id) (expired)" : id } ?? id
            }
            rows.append([identity.arn, keyText.joined(separator: ", "), String(identity.policies.count)])
        }
        let document: JSONValue = .object(["ok": .bool(true), "identities": .array(identities)])
        output.printer.document(
            document, table: "ok: \(file)\n" + TableText.render(header: ["identity", "keys", "policies"], rows: rows))
    }
}

/// `kvctl auth simulate`: one action on one resource for one identity of the file, answered
/// with the decision and the statement that decided it, as the IAM policy simulator does.
struct AuthSimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "Evaluate an identity's policies for one action on one resource.",
        discussion: """
            Evaluates the policies of --identity (an ARN in the file) as kvserver does: an explicit
            Deny wins, otherwise any Allow, otherwise the request is implicitly denied. Prints the
            decision and the deciding statement. The caller's keys (aws:username, aws:PrincipalArn,
            aws:CurrentTime, ...) come from the identity and the clock; --context adds or overrides
            keys, e.g. --context dynamodb:LeadingKeys=u1 --context aws:SourceIp=10.0.0.1
            (key=v1,v2 for several values). Exits 0 when allowed, 1 when denied.
            """)

    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The auth file.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The identity's ARN, as in the file.", valueName: "arn"))
    var identity: String

    @Option(help: ArgumentHelp("The action, e.g. dynamodb:PutItem.", valueName: "action"))
    var action: String

    @Option(help: ArgumentHelp("The resource ARN, e.g. arn:aws:dynamodb:us-east-1:111122223333:table/T.", valueName: "arn"))
    var resource: String

    @Option(help: ArgumentHelp("A condition key and its value(s): key=value or key=v1,v2. Repeatable.", valueName: "key=value"))
    var context: [String] = []

    func validate() throws {
        for entry in context where IAMSimulator.contextEntry(entry) == nil {
            throw ValidationError("--context takes key=value, got '\(entry)'.")
        }
    }

    func run() async throws {
        let configuration: AuthConfiguration
        do {
            configuration = try AuthFileReloader.load(file)
        } catch {
            throw CLIError("\(file): \(error.description)")
        }
        guard let found = configuration.identities.first(where: { $0.arn == identity }) else {
            throw CLIError("\(file) has no identity \(identity)")
        }
        var values: [String: [String]] = [:]
        for entry in context {
            if let (key, list) = IAMSimulator.contextEntry(entry) { values[key] = list }
        }
        let (decision, _) = IAMSimulator.simulate(
            policies: found.policies, principalARN: found.arn, userID: found.userID, action: action,
            resource: resource, context: IAMContext(values), now: Date().timeIntervalSince1970)
        var fields: [String: JSONValue] = [
            "decision": .string(decision.outcome.rawValue), "identity": .string(found.arn),
            "action": .string(action), "resource": .string(resource),
        ]
        var text = "decision: \(decision.description)"
        if let reference = decision.statement {
            var statement: [String: JSONValue] = [
                "policyIndex": .number(String(reference.policyIndex)),
                "statementIndex": .number(String(reference.statementIndex)),
            ]
            if let sid = reference.sid { statement["sid"] = .string(sid) }
            if found.policies.indices.contains(reference.policyIndex),
                let document = found.policies[reference.policyIndex].statementDocument(at: reference.statementIndex)
            {
                statement["document"] = document
                var bytes: [UInt8] = []
                JSONWriter.write(document, into: &bytes)
                text += "\nstatement: " + String(decoding: bytes, as: UTF8.self)
            }
            fields["statement"] = .object(statement)
        }
        output.printer.document(.object(fields), table: text)
        if !decision.isAllowed {
            throw ExitCode(1)
        }
    }
}

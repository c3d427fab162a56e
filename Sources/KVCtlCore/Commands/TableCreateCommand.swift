import ArgumentParser
import Foundation
import KVServer

/// `NAME:TYPE` of a key attribute, TYPE one of S, N, B.
struct KeyAttributeSpec: ExpressibleByArgument, Sendable, Equatable {
    var name: String
    var type: String

    init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let spec = KeyAttributeSpec(name: parts[0], type: parts[1]) else { return nil }
        self = spec
    }

    init?(name: String, type: String) {
        guard !name.isEmpty, ["S", "N", "B"].contains(type.uppercased()) else { return nil }
        self.name = name
        self.type = type.uppercased()
    }
}

/// `NAME:ATTR:TYPE[:ATTR:TYPE]`: an index name, its first key and an optional second one.
struct IndexSpec: ExpressibleByArgument, Sendable {
    var name: String
    var keys: [KeyAttributeSpec]

    init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 || parts.count == 5, !parts[0].isEmpty else { return nil }
        name = parts[0]
        var keys: [KeyAttributeSpec] = []
        for start in stride(from: 1, to: parts.count, by: 2) {
            guard let key = KeyAttributeSpec(name: parts[start], type: parts[start + 1]) else { return nil }
            keys.append(key)
        }
        self.keys = keys
    }
}

enum StreamViewType: String, ExpressibleByArgument, CaseIterable, Sendable {
    case newImage = "NEW_IMAGE"
    case oldImage = "OLD_IMAGE"
    case newAndOldImages = "NEW_AND_OLD_IMAGES"
    case keysOnly = "KEYS_ONLY"
}

/// `kvctl table create`: from flags (on-demand billing) or from a file.
struct TableCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a table from flags or from a CreateTable JSON / CloudFormation template.",
        discussion: """
            Flag form (PAY_PER_REQUEST billing, indexes project ALL attributes):
              kvctl table create users --hash pk:S --range sk:N --gsi byEmail:email:S --ttl expires
            File form: a CreateTable request in JSON, or a CloudFormation/SAM template (YAML or
            JSON) whose first AWS::DynamoDB::Table resource (by logical ID) is used:
              kvctl table create --from template.yaml --resource UsersTable
            NAME, when given with --from, overrides the table name in the file.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Table name (optional with --from).")
    var name: String?

    @Option(help: ArgumentHelp("Partition key, e.g. pk:S (types S, N, B).", valueName: "attr:type"))
    var hash: KeyAttributeSpec?

    @Option(help: ArgumentHelp("Sort key, e.g. sk:N.", valueName: "attr:type"))
    var range: KeyAttributeSpec?

    @Option(help: ArgumentHelp("Global secondary index (repeatable).", valueName: "name:attr:type[:attr:type]"))
    var gsi: [IndexSpec] = []

    @Option(help: ArgumentHelp("Local secondary index on the table's partition key (repeatable).", valueName: "name:attr:type"))
    var lsi: [IndexSpec] = []

    @Option(help: ArgumentHelp("Enable the stream with this view: NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES or KEYS_ONLY.", valueName: "view"))
    var stream: StreamViewType?

    @Option(help: ArgumentHelp("Enable TTL on this attribute once the table is active.", valueName: "attr"))
    var ttl: String?

    @Option(help: ArgumentHelp("Read the table definition from a file.", valueName: "file"))
    var from: String?

    @Option(help: ArgumentHelp("With --from: the logical ID of the table resource in the template.", valueName: "logical-id"))
    var resource: String?

    func validate() throws {
        if from != nil {
            if hash != nil || range != nil || !gsi.isEmpty || !lsi.isEmpty || stream != nil || ttl != nil {
                throw ValidationError("--from cannot be combined with --hash, --range, --gsi, --lsi, --stream or --ttl")
            }
            return
        }
        if resource != nil { throw ValidationError("--resource needs --from") }
        if name == nil { throw ValidationError("Missing table name (or use --from FILE)") }
        if hash == nil { throw ValidationError("Missing --hash ATTR:TYPE (or use --from FILE)") }
        if lsi.contains(where: { $0.keys.count != 1 }) {
            throw ValidationError("--lsi takes NAME:ATTR:TYPE (the partition key is the table's)")
        }
        if !lsi.isEmpty && range == nil {
            throw ValidationError("--lsi needs a table with a sort key (--range)")
        }
    }

    func run() async throws {
        var spec = try from.map(loadSpec) ?? flagSpec()
        if let name { spec.request["TableName"] = .string(name) }
        for note in spec.notes { Terminal.error("kvctl: note: \(note)\n") }
        let client = try global.client()
        let response = try await client.call("CreateTable", .object(spec.request))
        var info = TableInfo(description: response["TableDescription"] ?? .object([:]))
        if let attribute = spec.ttlAttribute, let tableName = spec.tableName {
            info = try await waitActive(tableName, client: client)
            _ = try await client.call(
                "UpdateTimeToLive",
                .object([
                    "TableName": .string(tableName),
                    "TimeToLiveSpecification": .object(["Enabled": .bool(true), "AttributeName": .string(attribute)]),
                ]))
        }
        global.printer.document(info.description, table: info.summary)
    }

    private func loadSpec(_ path: String) throws -> TableSpec {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError("cannot read \(path): \(error.localizedDescription)")
        }
        return try TableSpecLoader.load(text: text, resource: resource)
    }

    func flagSpec() throws -> TableSpec {
        guard let name, let hash else { throw CLIError.usage("missing table name or --hash") }
        var definitions: [String: String] = [:]
        var order: [String] = []
        func define(_ key: KeyAttributeSpec) throws {
            if let known = definitions[key.name] {
                guard known == key.type else {
                    throw CLIError.usage("attribute \(key.name) is declared as both \(known) and \(key.type)")
                }
                return
            }
            definitions[key.name] = key.type
            order.append(key.name)
        }
        func schema(_ keys: [KeyAttributeSpec]) -> JSONValue {
            .array(
                keys.enumerated().map { index, key in
                    .object(["AttributeName": .string(key.name), "KeyType": .string(index == 0 ? "HASH" : "RANGE")])
                })
        }
        let tableKeys = [hash] + (range.map { [$0] } ?? [])
        for key in tableKeys { try define(key) }
        var request: [String: JSONValue] = [
            "TableName": .string(name),
            "KeySchema": schema(tableKeys),
            "BillingMode": .string("PAY_PER_REQUEST"),
        ]
        let all: JSONValue = .object(["ProjectionType": .string("ALL")])
        if !gsi.isEmpty {
            for index in gsi { for key in index.keys { try define(key) } }
            request["GlobalSecondaryIndexes"] = .array(
                gsi.map { .object(["IndexName": .string($0.name), "KeySchema": schema($0.keys), "Projection": all]) })
        }
        if !lsi.isEmpty {
            for index in lsi { for key in index.keys { try define(key) } }
            request["LocalSecondaryIndexes"] = .array(
                lsi.map { .object(["IndexName": .string($0.name), "KeySchema": schema([hash] + $0.keys), "Projection": all]) })
        }
        request["AttributeDefinitions"] = .array(
            order.map { .object(["AttributeName": .string($0), "AttributeType": .string(definitions[$0] ?? "S")]) })
        if let stream {
            request["StreamSpecification"] = .object(["StreamEnabled": .bool(true), "StreamViewType": .string(stream.rawValue)])
        }
        return TableSpec(request: request, ttlAttribute: ttl)
    }

    /// DynamoDB takes UpdateTimeToLive only once the table is ACTIVE.
    private func waitActive(_ table: String, client: DynamoDBClient) async throws -> TableInfo {
        let deadline = Date().addingTimeInterval(300)
        while true {
            let info = try await TableInfo.fetch(table, client: client)
            if info.status == "ACTIVE" || Date() > deadline { return info }
            try await Task.sleep(nanoseconds: 1_000_000_000)
        }
    }
}

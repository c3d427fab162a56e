import Foundation
import KVServer
import Yams

/// A table to create: the CreateTable request, plus what CreateTable cannot say (TTL).
struct TableSpec: Sendable {
    var request: [String: JSONValue]
    var ttlAttribute: String?
    /// Things dropped or guessed while reading a template, shown on stderr.
    var notes: [String] = []

    var tableName: String? { request["TableName"]?.stringValue }
}

/// Reads a table definition from a file: a CreateTable request (JSON, as `aws dynamodb
/// create-table --cli-input-json` takes), or an `AWS::DynamoDB::Table` resource of a
/// CloudFormation / SAM template in YAML or JSON.
/// See https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-table.html
enum TableSpecLoader {
    static func load(text: String, resource: String?) throws -> TableSpec {
        let document: JSONValue
        if let json = try? JSONParser.parse(text) {
            document = json
        } else {
            do {
                guard let node = try Yams.compose(yaml: text) else { throw CLIError.usage("the file is empty") }
                document = YAMLToJSON.convert(node)
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError.usage("the file is neither JSON nor YAML: \(error)")
            }
        }
        guard case .object(let top) = document else {
            throw CLIError.usage("expected a JSON/YAML object at the top of the file")
        }
        if let resources = top["Resources"]?.objectValue {
            let parameters = top["Parameters"]?.objectValue ?? [:]
            return try fromTemplate(resources: resources, parameters: parameters, logicalID: resource)
        }
        if top["Type"]?.stringValue == tableResourceType, let properties = top["Properties"]?.objectValue {
            var resolver = IntrinsicResolver(parameters: [:])
            return try fromProperties(properties, logicalID: resource ?? "Table", resolver: &resolver)
        }
        guard resource == nil else { throw CLIError.usage("--resource needs a CloudFormation template") }
        guard top["KeySchema"] != nil else {
            throw CLIError.usage(
                "the file is neither a CreateTable request (no KeySchema) nor a template (no Resources)")
        }
        var request = top
        var spec = TableSpec(request: [:])
        if let ttl = request.removeValue(forKey: "TimeToLiveSpecification") {
            spec.ttlAttribute = ttlAttribute(ttl)
        }
        spec.request = request
        return spec
    }

    static let tableResourceType = "AWS::DynamoDB::Table"

    private static func fromTemplate(
        resources: [String: JSONValue], parameters: [String: JSONValue], logicalID: String?
    ) throws -> TableSpec {
        let tables = resources.filter { $0.value["Type"]?.stringValue == tableResourceType }
        let chosen: (key: String, value: JSONValue)
        if let logicalID {
            guard let found = tables.first(where: { $0.key == logicalID }) else {
                let known = tables.keys.sorted().joined(separator: ", ")
                throw CLIError.usage(
                    "no \(tableResourceType) resource named '\(logicalID)' (found: \(known.isEmpty ? "none" : known))")
            }
            chosen = found
        } else {
            // "The first such resource": dictionaries forget document order, so take the
            // first logical ID in sorted order and say which when there is a choice.
            guard let first = tables.min(by: { $0.key < $1.key }) else {
                throw CLIError.usage("the template has no \(tableResourceType) resource")
            }
            chosen = first
        }
        var resolver = IntrinsicResolver(parameters: parameters)
        var spec = try fromProperties(
            chosen.value["Properties"]?.objectValue ?? [:], logicalID: chosen.key, resolver: &resolver)
        if logicalID == nil && tables.count > 1 {
            spec.notes.insert(
                "the template has \(tables.count) tables; using \(chosen.key) (pick one with --resource)", at: 0)
        }
        return spec
    }

    /// Properties CreateTable understands, in CloudFormation's spelling.
    private static let passThrough: Set<String> = [
        "TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
        "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "DeletionProtectionEnabled",
    ]

    private static func fromProperties(
        _ properties: [String: JSONValue], logicalID: String, resolver: inout IntrinsicResolver
    ) throws -> TableSpec {
        var spec = TableSpec(request: [:])
        for (name, raw) in properties.sorted(by: { $0.key < $1.key }) {
            guard let value = resolver.resolve(raw) else {
                spec.notes.append("\(name): uses an intrinsic function kvctl cannot evaluate; ignored")
                continue
            }
            switch name {
            case _ where passThrough.contains(name):
                spec.request[name] = normalizeNumbers(value)
            case "StreamSpecification":
                if let view = value["StreamViewType"]?.stringValue {
                    spec.request["StreamSpecification"] = .object([
                        "StreamEnabled": .bool(true), "StreamViewType": .string(view),
                    ])
                }
            case "TimeToLiveSpecification":
                spec.ttlAttribute = ttlAttribute(value)
            default:
                spec.notes.append("\(name): not part of CreateTable; ignored")
            }
        }
        if spec.tableName == nil {
            spec.request["TableName"] = .string(logicalID)
            if properties["TableName"] != nil {
                spec.notes.append("TableName could not be resolved; using the logical ID \(logicalID)")
            }
        }
        if spec.request["BillingMode"] == nil {
            spec.request["BillingMode"] = .string(
                spec.request["ProvisionedThroughput"] == nil ? "PAY_PER_REQUEST" : "PROVISIONED")
        }
        return spec
    }

    private static func ttlAttribute(_ value: JSONValue) -> String? {
        guard value["Enabled"]?.boolValue ?? (value["Enabled"]?.stringValue == "true") else { return nil }
        return value["AttributeName"]?.stringValue
    }

    /// CloudFormation accepts "5" where CreateTable wants 5 (capacity units).
    private static func normalizeNumbers(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var members):
            for key in ["ReadCapacityUnits", "WriteCapacityUnits"] {
                if case .string(let text)? = members[key], Int(text) != nil { members[key] = .number(text) }
            }
            return .object(members.mapValues(normalizeNumbers))
        case .array(let elements):
            return .array(elements.map(normalizeNumbers))
        default:
            return value
        }
    }
}

/// Evaluates the intrinsic functions that have a static answer (`Ref` to a parameter with a
/// Default, `Fn::Sub` / `Fn::Join` over such values); anything else is unresolvable (nil) and
/// the property holding it is dropped by the caller.
struct IntrinsicResolver {
    var parameters: [String: JSONValue]

    func resolve(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .object(let members):
            if members.count == 1, let (name, argument) = members.first, name == "Ref" || name.hasPrefix("Fn::") {
                return evaluate(name, argument)
            }
            var out = [String: JSONValue]()
            for (key, member) in members {
                guard let resolved = resolve(member) else { return nil }
                out[key] = resolved
            }
            return .object(out)
        case .array(let elements):
            var out: [JSONValue] = []
            for element in elements {
                guard let resolved = resolve(element) else { return nil }
                out.append(resolved)
            }
            return .array(out)
        default:
            return value
        }
    }

    private func evaluate(_ function: String, _ argument: JSONValue) -> JSONValue? {
        switch function {
        case "Ref":
            guard let name = argument.stringValue else { return nil }
            return parameters[name]?["Default"].flatMap { $0.stringValue != nil || $0.intValue != nil ? $0 : nil }
        case "Fn::Sub":
            let template: String
            var variables: [String: JSONValue] = [:]
            if let text = argument.stringValue {
                template = text
            } else if let parts = argument.arrayValue, parts.count == 2, let text = parts[0].stringValue {
                template = text
                variables = parts[1].objectValue ?? [:]
            } else {
                return nil
            }
            return substitute(template, variables).map { .string($0) }
        case "Fn::Join":
            guard let parts = argument.arrayValue, parts.count == 2, let separator = parts[0].stringValue,
                let list = parts[1].arrayValue
            else { return nil }
            var texts: [String] = []
            for element in list {
                guard let resolved = resolve(element), let text = scalarText(resolved) else { return nil }
                texts.append(text)
            }
            return .string(texts.joined(separator: separator))
        default:
            return nil
        }
    }

    private func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text), .number(let text): return text
        default: return nil
        }
    }

    /// `${Name}` from the variables or parameter defaults; `${!Literal}` stays `${Literal}`.
    private func substitute(_ template: String, _ variables: [String: JSONValue]) -> String? {
        var out = ""
        var rest = Substring(template)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { return nil }
            let name = String(rest[start.upperBound..<end])
            if name.hasPrefix("!") {
                out += "${" + name.dropFirst() + "}"
            } else if let value = variables[name].flatMap(resolve) ?? parameters[name]?["Default"],
                let text = scalarText(value)
            {
                out += text
            } else {
                return nil
            }
            rest = rest[rest.index(after: end)...]
        }
        return out + rest
    }
}

/// YAML nodes to JSON values, turning CloudFormation's short tags (`!Ref X`, `!Sub ...`,
/// `!GetAtt A.B`) into their long JSON forms (`{"Ref": "X"}`, `{"Fn::Sub": ...}`).
enum YAMLToJSON {
    static func convert(_ node: Node) -> JSONValue {
        let tag = node.tag.description
        let plain: JSONValue
        switch node {
        case .scalar(let scalar):
            plain = scalarValue(scalar.string, tag: tag)
        case .sequence(let sequence):
            plain = .array(sequence.map(convert))
        case .mapping(let mapping):
            var members = [String: JSONValue]()
            for (key, value) in mapping {
                members[key.string ?? ""] = convert(value)
            }
            plain = .object(members)
        }
        guard tag.hasPrefix("!"), tag.count > 1 else { return plain }
        let function = String(tag.dropFirst())
        if function == "Ref" { return .object(["Ref": plain]) }
        if function == "GetAtt", case .string(let text) = plain {
            return .object(["Fn::GetAtt": .array(text.split(separator: ".", maxSplits: 1).map { .string(String($0)) })])
        }
        return .object(["Fn::\(function)": plain])
    }

    private static func scalarValue(_ text: String, tag: String) -> JSONValue {
        switch tag {
        case "tag:yaml.org,2002:null": return .null
        case "tag:yaml.org,2002:bool":
            return .bool(["true", "yes", "on"].contains(text.lowercased()))
        case "tag:yaml.org,2002:int", "tag:yaml.org,2002:float":
            if (try? JSONParser.parse(text)).map({ if case .number = $0 { true } else { false } }) == true {
                return .number(text)
            }
            return .string(text)
        default:
            return .string(text)
        }
    }
}

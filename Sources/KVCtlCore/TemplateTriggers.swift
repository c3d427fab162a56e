import KVServer
import Yams

/// The stream triggers a SAM or CloudFormation template declares: the `DynamoDB` events of
/// `AWS::Serverless::Function` resources and `AWS::Lambda::EventSourceMapping` resources.
/// Intrinsics are resolved within the template: `!GetAtt Table.StreamArn` names the table's
/// latest stream, `!Ref Function` / `!GetAtt Function.Arn` the function's name.
/// See https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-dynamodb.html
enum TemplateTriggers {
    /// Where a trigger reads: a table (its latest stream, looked up at creation) or a stream ARN.
    enum Source: Equatable {
        case table(String)
        case streamArn(String)
    }

    struct Trigger: Equatable {
        var name: String
        var source: Source
        var functionName: String
        /// The CreateEventSourceMapping fields the template sets (StartingPosition, BatchSize...).
        var settings: [String: JSONValue]
    }

    /// The template properties that are CreateEventSourceMapping fields of the same name.
    static let passedThrough: Set<String> = [
        "StartingPosition", "BatchSize", "MaximumBatchingWindowInSeconds", "MaximumRetryAttempts",
        "BisectBatchOnFunctionError", "MaximumRecordAgeInSeconds", "DestinationConfig", "FilterCriteria",
        "FunctionResponseTypes", "ParallelizationFactor", "TumblingWindowInSeconds", "Enabled",
    ]

    static func parse(_ text: String) throws -> [Trigger] {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw CLIError("the template is neither YAML nor JSON")
        }
        guard let root = node.map(json), case .object(let top) = root, case .object(let resources) = top["Resources"] else {
            throw CLIError("the template has no Resources")
        }
        var tables: [String: String] = [:]
        var functions: [String: String] = [:]
        for (id, resource) in resources {
            let type = resource["Type"]?.stringValue
            let name = resource["Properties"]?["TableName"]?.stringValue
            if type == "AWS::DynamoDB::Table" { tables[id] = name ?? id }
            if type == "AWS::Serverless::Function" || type == "AWS::Lambda::Function" {
                functions[id] = resource["Properties"]?["FunctionName"]?.stringValue ?? id
            }
        }
        var triggers: [Trigger] = []
        for id in resources.keys.sorted() {
            guard let resource = resources[id], let properties = resource["Properties"]?.objectValue else { continue }
            switch resource["Type"]?.stringValue {
            case "AWS::Serverless::Function":
                guard let events = properties["Events"]?.objectValue else { continue }
                for eventID in events.keys.sorted() {
                    guard let event = events[eventID], event["Type"]?.stringValue == "DynamoDB",
                        let eventProperties = event["Properties"]?.objectValue
                    else { continue }
                    let source = try self.source(eventProperties["Stream"], tables: tables, what: "\(id).\(eventID).Stream")
                    triggers.append(
                        Trigger(
                            name: "\(id).\(eventID)", source: source, functionName: functions[id] ?? id,
                            settings: eventProperties.filter { passedThrough.contains($0.key) }))
                }
            case "AWS::Lambda::EventSourceMapping":
                let source = try self.source(properties["EventSourceArn"], tables: tables, what: "\(id).EventSourceArn")
                guard let function = function(properties["FunctionName"], functions: functions) else {
                    throw CLIError("\(id).FunctionName must name a function of the template or be a string")
                }
                triggers.append(
                    Trigger(
                        name: id, source: source, functionName: function,
                        settings: properties.filter { passedThrough.contains($0.key) }))
            default:
                continue
            }
        }
        return triggers
    }

    static func source(_ value: JSONValue?, tables: [String: String], what: String) throws -> Source {
        if let arn = value?.stringValue, arn.hasPrefix("arn:") { return .streamArn(arn) }
        if let target = attribute(value), target.1 == "StreamArn", let table = tables[target.0] { return .table(table) }
        throw CLIError("\(what) must be a stream ARN or !GetAtt <table>.StreamArn of a table in the template")
    }

    static func function(_ value: JSONValue?, functions: [String: String]) -> String? {
        if let reference = value?["Ref"]?.stringValue { return functions[reference] ?? reference }
        if let target = attribute(value), target.1 == "Arn" { return functions[target.0] ?? target.0 }
        return value?.stringValue
    }

    /// `Fn::GetAtt` as `"Logical.Attribute"` or `["Logical", "Attribute"]`.
    static func attribute(_ value: JSONValue?) -> (String, String)? {
        guard let argument = value?["Fn::GetAtt"] else { return nil }
        if let text = argument.stringValue {
            let parts = text.split(separator: ".", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
        if let list = argument.arrayValue, list.count == 2, let a = list[0].stringValue, let b = list[1].stringValue { return (a, b) }
        return nil
    }

    /// A YAML node as JSON; the short intrinsic tags (`!Ref`, `!GetAtt`, `!Sub`...) become
    /// their long forms (`{"Ref": ...}`, `{"Fn::GetAtt": ...}`).
    static func json(_ node: Node) -> JSONValue {
        let tag = node.tag.description
        let intrinsic: String? = tag.hasPrefix("!") ? (tag == "!Ref" ? "Ref" : "Fn::" + tag.dropFirst()) : nil
        let value: JSONValue
        switch node {
        case .scalar(let scalar):
            if intrinsic != nil {
                value = .string(scalar.string)
            } else if tag == Tag.Name.int.rawValue || tag == Tag.Name.float.rawValue {
                value = .number(scalar.string)
            } else if tag == Tag.Name.bool.rawValue {
                value = .bool(node.bool ?? false)
            } else if tag == Tag.Name.null.rawValue {
                value = .null
            } else {
                value = .string(scalar.string)
            }
        case .mapping(let mapping):
            var fields: [String: JSONValue] = [:]
            for (key, item) in mapping { fields[key.string ?? ""] = json(item) }
            value = .object(fields)
        case .sequence(let sequence):
            value = .array(sequence.map(json))
        }
        if let intrinsic { return .object([intrinsic: value]) }
        return value
    }
}

import NIOCore

/// What IAM checks for a DynamoDB or DynamoDB Streams request: one `IAMRequest` per
/// (action, resource) the request needs, each with the request context (global keys plus the
/// DynamoDB keys of that table access). The request is allowed only if every one is.
///
/// The rules, from the Service Authorization Reference and the DynamoDB developer guide:
/// - item, query, scan and table operations: `dynamodb:<Operation>` on the table ARN
///   (`TableName` may itself be an ARN); `Query`/`Scan` with `IndexName` on the index ARN
///   (`table/T/index/I`);
/// - `BatchGetItem` / `BatchWriteItem`: their own action on each table they name (DynamoDB does
///   not also check PutItem/DeleteItem/GetItem for batches);
/// - `TransactWriteItems`: `PutItem`, `UpdateItem`, `DeleteItem` or `ConditionCheckItem` per
///   action on its table; `TransactGetItems`: `GetItem` per action
///   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html),
///   with `dynamodb:EnclosingOperation` set to the transaction's name;
/// - Streams `DescribeStream`, `GetShardIterator`, `GetRecords`: the stream ARN
///   (`table/T/stream/LABEL`); `ListStreams`, `DescribeLimits`, `DescribeEndpoints`: `*`;
///   `ListTables`: `table/*` (DynamoDB's denial names `arn:aws:dynamodb:REGION:ACCOUNT:table/*`);
/// - tagging operations: the `ResourceArn` they name.
/// An operation it does not know is checked as `dynamodb:<Operation>` on `*`.
/// See https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
/// and https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/api-permissions-reference.html
public enum DynamoDBAuthorizationMapping {
    /// Every authorization `input` needs, in the order the request names them.
    /// - Parameters:
    ///   - dynamoDBKeys: whether to read the `dynamodb:` condition keys from the request;
    ///     the authorizer skips them when no policy of the caller mentions one.
    ///   - requestContext: whether to build the request context at all; the authorizer skips it
    ///     when no policy of the caller has a condition or a policy variable in a `Resource`
    ///     (then the requests carry an empty context, which nothing reads).
    public static func requests(
        for input: AuthorizationInput, catalog: IAMResourceCatalog = .none, dynamoDBKeys: Bool = true,
        requestContext: Bool = true
    ) -> [IAMRequest] {
        var body = input.request
        if case .null = body, input.body.readableBytes > 0 {
            // BatchWriteItem decodes its body straight from bytes: parse it here.
            var buffer = input.body
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            body = (try? JSONParser.parse(bytes)) ?? .null
        }
        let fields: [String: JSONValue]
        if case .object(let object) = body { fields = object } else { fields = [:] }
        let arns = DynamoDBResourceARN(region: input.region, account: input.identity.accountID)
        guard requestContext else {
            let reader = DynamoDBConditionKeyReader(catalog: catalog, enabled: false)
            return checks(
                operation: input.operation, isStreamsAPI: input.isStreamsAPI, fields: fields, arns: arns, reader: reader
            ).map { IAMRequest(action: "dynamodb:" + $0.action, resource: $0.resource) }
        }
        var base = globalContext(for: input, fields: fields)
        if base["dynamodb:ReturnConsumedCapacity"] == nil, operationsWithCapacity.contains(input.operation) {
            // Like Select and ReturnValues, the parameter "always has a value": NONE unless given.
            base.set("dynamodb:ReturnConsumedCapacity", "NONE")
        }
        let reader = DynamoDBConditionKeyReader(catalog: catalog, enabled: dynamoDBKeys)
        let checks = self.checks(
            operation: input.operation, isStreamsAPI: input.isStreamsAPI, fields: fields, arns: arns, reader: reader)
        return checks.map { check in
            IAMRequest(action: "dynamodb:" + check.action, resource: check.resource, context: base.merging(check.context))
        }
    }

    /// The operations that take `ReturnConsumedCapacity`.
    static let operationsWithCapacity: Set<String> = [
        "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
        "TransactGetItems", "TransactWriteItems",
    ]

    /// The global condition keys: who calls, from where, when, how.
    /// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
    public static func globalContext(for input: AuthorizationInput, fields: [String: JSONValue] = [:]) -> IAMContext {
        let identity = input.identity
        var context = IAMContext()
        context.set("aws:username", identity.userName)
        context.set("aws:userid", identity.userID)
        context.set("aws:PrincipalArn", identity.arn)
        context.set("aws:PrincipalAccount", identity.accountID)
        context.set("aws:PrincipalType", principalType(identity.arn))
        // The same keys `IAMSimulator.principalContext` derives for `kvctl auth simulate`, but
        // from the loaded identity (whose user name and id the auth file may state).
        context.set("aws:SourceIp", input.sourceIP)
        context.set("aws:SecureTransport", input.secureTransport ? "true" : "false")
        context.set("aws:CurrentTime", IAMValueParsing.iso8601(input.currentTime))
        context.set("aws:EpochTime", IAMValueParsing.epochText(input.currentTime))
        context.set("aws:RequestedRegion", input.region)
        if case .string(let value)? = fields["ReturnConsumedCapacity"] {
            context.set("dynamodb:ReturnConsumedCapacity", value)
        }
        return context
    }

    /// `User` for `:user/`, `AssumedRole` for `:assumed-role/`, `FederatedUser`, `Account` for root.
    static func principalType(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        let resource = parts[5]
        if resource == "root" { return "Account" }
        if resource.hasPrefix("user/") { return "User" }
        if resource.hasPrefix("assumed-role/") { return "AssumedRole" }
        if resource.hasPrefix("federated-user/") { return "FederatedUser" }
        if resource.hasPrefix("role/") { return "Role" }
        return nil
    }

    /// One (action, resource) a request needs, with the DynamoDB keys of that access.
    struct Check {
        var action: String
        var resource: String
        var context: IAMContext = IAMContext()
    }

    static func checks(
        operation: String, isStreamsAPI: Bool, fields: [String: JSONValue], arns: DynamoDBResourceARN,
        reader: DynamoDBConditionKeyReader
    ) -> [Check] {
        func string(_ name: String) -> String? {
            if case .string(let text)? = fields[name] { return text }
            return nil
        }
        let tableValue = string("TableName") ?? ""
        let table = DynamoDBResourceARN.tableName(tableValue)
        let tableARN = arns.table(named: tableValue)
        switch operation {
        case "GetItem":
            return [Check(action: operation, resource: tableARN, context: reader.read(table: table, fields).context)]
        case "PutItem":
            return [Check(action: operation, resource: tableARN, context: reader.put(table: table, fields).context)]
        case "DeleteItem":
            return [Check(action: operation, resource: tableARN, context: reader.delete(table: table, fields).context)]
        case "UpdateItem":
            return [Check(action: operation, resource: tableARN, context: reader.update(table: table, fields).context)]
        case "Query", "Scan":
            let index = string("IndexName")
            let resource = index.map { arns.index($0, table: table) } ?? tableARN
            let keys =
                operation == "Query"
                ? reader.query(table: table, index: index, fields) : reader.scan(index: index, fields)
            return [Check(action: operation, resource: resource, context: keys.context)]
        case "BatchGetItem":
            return tableEntries(fields).map { name, value in
                var entry: [String: JSONValue] = [:]
                if case .object(let object) = value { entry = object }
                let plain = DynamoDBResourceARN.tableName(name)
                return Check(
                    action: operation, resource: arns.table(named: name),
                    context: reader.batchRead(table: plain, entry).context)
            }
        case "BatchWriteItem":
            return tableEntries(fields).map { name, value in
                var requests: [JSONValue] = []
                if case .array(let list) = value { requests = list }
                let plain = DynamoDBResourceARN.tableName(name)
                return Check(
                    action: operation, resource: arns.table(named: name),
                    context: reader.batchWrite(table: plain, requests).context)
            }
        case "TransactWriteItems", "TransactGetItems":
            return transactionChecks(operation: operation, fields: fields, arns: arns, reader: reader)
        case "ListTables":
            return [Check(action: operation, resource: arns.table("*"))]
        case "ListStreams", "DescribeLimits", "DescribeEndpoints":
            return [Check(action: operation, resource: "*")]
        case "DescribeStream", "GetShardIterator":
            return [Check(action: operation, resource: arns.normalized(string("StreamArn") ?? ""))]
        case "GetRecords":
            let stream = string("ShardIterator").flatMap { reader.catalog.streamOfShardIterator($0) }
            let resource = stream.map { arns.stream(label: $0.label, table: $0.table) } ?? arns.stream(label: "*", table: "*")
            return [Check(action: operation, resource: resource)]
        case "TagResource", "UntagResource", "ListTagsOfResource":
            return [Check(action: operation, resource: arns.normalized(string("ResourceArn") ?? ""))]
        case "CreateTable", "DescribeTable", "DeleteTable", "UpdateTable", "UpdateTimeToLive", "DescribeTimeToLive",
            "DescribeContinuousBackups", "UpdateContinuousBackups", "CreateBackup", "ListBackups",
            "DescribeKinesisStreamingDestination", "DescribeContributorInsights":
            return [Check(action: operation, resource: tableARN)]
        default:
            return [Check(action: operation, resource: "*")]
        }
    }

    /// `RequestItems` entries sorted by table name (JSON objects carry no order we keep).
    private static func tableEntries(_ fields: [String: JSONValue]) -> [(String, JSONValue)] {
        guard case .object(let items)? = fields["RequestItems"] else { return [] }
        return items.keys.sorted().map { ($0, items[$0] ?? .null) }
    }

    private static func transactionChecks(
        operation: String, fields: [String: JSONValue], arns: DynamoDBResourceARN, reader: DynamoDBConditionKeyReader
    ) -> [Check] {
        guard case .array(let actions)? = fields["TransactItems"] else { return [] }
        var checks: [Check] = []
        for case .object(let wrapper) in actions {
            for kind in ["Put", "Update", "Delete", "ConditionCheck", "Get"] {
                guard case .object(let action)? = wrapper[kind] else { continue }
                var tableValue = ""
                if case .string(let text)? = action["TableName"] { tableValue = text }
                let table = DynamoDBResourceARN.tableName(tableValue)
                let keys: DynamoDBConditionKeys
                let iamAction: String
                switch kind {
                case "Put": (iamAction, keys) = ("PutItem", reader.put(table: table, action))
                case "Update": (iamAction, keys) = ("UpdateItem", reader.update(table: table, action))
                case "Delete": (iamAction, keys) = ("DeleteItem", reader.delete(table: table, action))
                case "ConditionCheck": (iamAction, keys) = ("ConditionCheckItem", reader.conditionCheck(table: table, action))
                default: (iamAction, keys) = ("GetItem", reader.read(table: table, action))
                }
                var context = keys.context
                context.set("dynamodb:EnclosingOperation", operation)
                checks.append(Check(action: iamAction, resource: arns.table(named: tableValue), context: context))
            }
        }
        return checks
    }
}

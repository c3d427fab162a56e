import KVStore
import NIOCore
import Testing

@testable import KVServer

/// What IAM checks per DynamoDB operation.
/// Actions and resources: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
/// Transactions: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
/// Condition keys: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
@Suite("DynamoDB authorization mapping")
struct DynamoDBAuthorizationMappingTests {
    /// Tables `Orders` (pk `customer`, sk `order`, GSI `ByStatus` on `status`) and `Users` (pk `id`);
    /// iterator "iter-1" reads the stream of `Orders`.
    static let catalog = IAMResourceCatalog(
        keySchema: { table, index in
            switch (table, index) {
            case ("Orders", nil), ("Orders", "ByDate"):
                return KeySchema(
                    partitionKey: KeyAttribute(name: "customer", type: .string),
                    sortKey: KeyAttribute(name: index == nil ? "order" : "date", type: .string))
            case ("Orders", "ByStatus"): return KeySchema(partitionKey: KeyAttribute(name: "status", type: .string))
            case ("Users", nil): return KeySchema(partitionKey: KeyAttribute(name: "id", type: .number))
            default: return nil
            }
        },
        streamOfShardIterator: { $0 == "iter-1" ? (table: "Orders", label: "2026-12-06T15:00:00.000") : nil })

    static func input(
        _ operation: String, _ body: String, streams: Bool = false, policies: [IAMPolicy] = [], decodeBody: Bool = true
    ) -> AuthorizationInput {
        let identity = AuthenticatedIdentity(
            arn: userARN, accountID: testAccount, userName: "alice", userID: "AIDAALICE", accessKeyID: "AKIAALICE",
            policies: policies)
        let parsed = decodeBody ? ((try? JSONParser.parse(body)) ?? .null) : .null
        return AuthorizationInput(
            identity: identity, operation: operation, isStreamsAPI: streams, request: parsed,
            body: ByteBuffer(string: body), region: "us-east-1", sourceIP: "127.0.0.1", secureTransport: false,
            currentTime: 1_798_070_400)
    }

    static func checks(_ operation: String, _ body: String, streams: Bool = false, decodeBody: Bool = true) -> [String] {
        DynamoDBAuthorizationMapping.requests(
            for: input(operation, body, streams: streams, decodeBody: decodeBody), catalog: catalog
        ).map { "\($0.action) \($0.resource)" }
    }

    static func context(_ operation: String, _ body: String, at index: Int = 0) -> IAMContext {
        let requests = DynamoDBAuthorizationMapping.requests(for: input(operation, body), catalog: catalog)
        return index < requests.count ? requests[index].context : IAMContext()
    }

    static let orders = tableARN("Orders")

    @Test(
        "action and resource per operation",
        arguments: [
            ("GetItem", #"{"TableName": "Orders", "Key": {}}"#, ["dynamodb:GetItem \(orders)"]),
            ("PutItem", #"{"TableName": "Orders", "Item": {}}"#, ["dynamodb:PutItem \(orders)"]),
            ("UpdateItem", #"{"TableName": "Orders", "Key": {}}"#, ["dynamodb:UpdateItem \(orders)"]),
            ("DeleteItem", #"{"TableName": "Orders", "Key": {}}"#, ["dynamodb:DeleteItem \(orders)"]),
            ("Query", #"{"TableName": "Orders"}"#, ["dynamodb:Query \(orders)"]),
            ("Query", #"{"TableName": "Orders", "IndexName": "ByStatus"}"#, ["dynamodb:Query \(orders)/index/ByStatus"]),
            ("Scan", #"{"TableName": "Orders", "IndexName": "ByStatus"}"#, ["dynamodb:Scan \(orders)/index/ByStatus"]),
            ("Scan", #"{"TableName": "Orders"}"#, ["dynamodb:Scan \(orders)"]),
            // A TableName given as an ARN: its resource part, in the caller's account and the request's region.
            ("GetItem", #"{"TableName": "arn:aws:dynamodb:eu-west-1:000000000000:table/Orders", "Key": {}}"#, ["dynamodb:GetItem \(orders)"]),
            ("CreateTable", #"{"TableName": "New"}"#, ["dynamodb:CreateTable \(tableARN("New"))"]),
            ("DescribeTable", #"{"TableName": "Orders"}"#, ["dynamodb:DescribeTable \(orders)"]),
            ("UpdateTable", #"{"TableName": "Orders"}"#, ["dynamodb:UpdateTable \(orders)"]),
            ("DeleteTable", #"{"TableName": "Orders"}"#, ["dynamodb:DeleteTable \(orders)"]),
            ("UpdateTimeToLive", #"{"TableName": "Orders"}"#, ["dynamodb:UpdateTimeToLive \(orders)"]),
            ("DescribeTimeToLive", #"{"TableName": "Orders"}"#, ["dynamodb:DescribeTimeToLive \(orders)"]),
            ("ListTables", #"{}"#, ["dynamodb:ListTables \(tableARN("*"))"]),
            ("DescribeLimits", #"{}"#, ["dynamodb:DescribeLimits *"]),
            ("DescribeEndpoints", #"{}"#, ["dynamodb:DescribeEndpoints *"]),
            ("TagResource", #"{"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/Orders"}"#, ["dynamodb:TagResource \(orders)"]),
            ("UntagResource", #"{"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/Orders"}"#, ["dynamodb:UntagResource \(orders)"]),
            ("ListTagsOfResource", #"{"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/Orders"}"#, ["dynamodb:ListTagsOfResource \(orders)"]),
            (
                "BatchGetItem", #"{"RequestItems": {"Users": {"Keys": []}, "Orders": {"Keys": []}}}"#,
                ["dynamodb:BatchGetItem \(orders)", "dynamodb:BatchGetItem \(tableARN("Users"))"]
            ),
            (
                "BatchWriteItem", #"{"RequestItems": {"Users": [], "Orders": []}}"#,
                ["dynamodb:BatchWriteItem \(orders)", "dynamodb:BatchWriteItem \(tableARN("Users"))"]
            ),
            (
                "TransactWriteItems",
                #"{"TransactItems": [{"Put": {"TableName": "Orders", "Item": {}}}, {"Update": {"TableName": "Users", "Key": {}}}, {"Delete": {"TableName": "Orders", "Key": {}}}, {"ConditionCheck": {"TableName": "Users", "Key": {}}}]}"#,
                [
                    "dynamodb:PutItem \(orders)", "dynamodb:UpdateItem \(tableARN("Users"))", "dynamodb:DeleteItem \(orders)",
                    "dynamodb:ConditionCheckItem \(tableARN("Users"))",
                ]
            ),
            (
                "TransactGetItems", #"{"TransactItems": [{"Get": {"TableName": "Orders", "Key": {}}}, {"Get": {"TableName": "Users", "Key": {}}}]}"#,
                ["dynamodb:GetItem \(orders)", "dynamodb:GetItem \(tableARN("Users"))"]
            ),
            ("SomethingNew", #"{"TableName": "Orders"}"#, ["dynamodb:SomethingNew *"]),
        ] as [(String, String, [String])])
    func mapping(operation: String, body: String, expected: [String]) {
        #expect(Self.checks(operation, body) == expected)
    }

    @Test("Streams API: the stream ARN; ListStreams on *")
    func streams() {
        let streamARN = "\(Self.orders)/stream/2026-12-06T15:00:00.000"
        let given = #"{"StreamArn": "arn:aws:dynamodb:us-east-1:000000000000:table/Orders/stream/2026-12-06T15:00:00.000"}"#
        #expect(Self.checks("DescribeStream", given, streams: true) == ["dynamodb:DescribeStream \(streamARN)"])
        #expect(Self.checks("GetShardIterator", given, streams: true) == ["dynamodb:GetShardIterator \(streamARN)"])
        #expect(Self.checks("GetRecords", #"{"ShardIterator": "iter-1"}"#, streams: true) == ["dynamodb:GetRecords \(streamARN)"])
        // An iterator naming no known stream: a resource only wildcards match (fails closed).
        #expect(Self.checks("GetRecords", #"{"ShardIterator": "bogus"}"#, streams: true) == ["dynamodb:GetRecords \(tableARN("*/stream/*"))"])
        #expect(Self.checks("ListStreams", #"{"TableName": "Orders"}"#, streams: true) == ["dynamodb:ListStreams *"])
    }

    @Test("BatchWriteItem decoded from bytes (request .null): the body is parsed")
    func batchWriteFromBytes() {
        let body = #"{"RequestItems": {"Orders": [{"PutRequest": {"Item": {"customer": {"S": "c1"}, "order": {"S": "o1"}, "total": {"N": "5"}}}}, {"DeleteRequest": {"Key": {"customer": {"S": "c2"}, "order": {"S": "o9"}}}}]}}"#
        #expect(Self.checks("BatchWriteItem", body, decodeBody: false) == ["dynamodb:BatchWriteItem \(Self.orders)"])
        let request = DynamoDBAuthorizationMapping.requests(for: Self.input("BatchWriteItem", body, decodeBody: false), catalog: Self.catalog)
        #expect(request.first?.context["dynamodb:LeadingKeys"] == ["c1", "c2"])
        #expect(request.first?.context["dynamodb:Attributes"] == ["customer", "order", "total"])
    }

    @Test(
        "dynamodb:LeadingKeys",
        arguments: [
            ("GetItem", #"{"TableName": "Orders", "Key": {"customer": {"S": "c1"}, "order": {"S": "o1"}}}"#, ["c1"]),
            ("GetItem", #"{"TableName": "Users", "Key": {"id": {"N": "42"}}}"#, ["42"]),
            ("PutItem", #"{"TableName": "Orders", "Item": {"customer": {"S": "c1"}, "order": {"S": "o1"}, "x": {"S": "y"}}}"#, ["c1"]),
            ("UpdateItem", #"{"TableName": "Orders", "Key": {"customer": {"S": "c1"}, "order": {"S": "o1"}}}"#, ["c1"]),
            ("DeleteItem", #"{"TableName": "Orders", "Key": {"order": {"S": "o1"}, "customer": {"S": "c1"}}}"#, ["c1"]),
            ("Query", ##"{"TableName": "Orders", "KeyConditionExpression": "#c = :c AND begins_with(#o, :p)", "ExpressionAttributeNames": {"#c": "customer", "#o": "order"}, "ExpressionAttributeValues": {":c": {"S": "c7"}, ":p": {"S": "2026"}}}"##, ["c7"]),
            ("Query", #"{"TableName": "Orders", "KeyConditions": {"customer": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "c8"}]}}}"#, ["c8"]),
            ("Query", ##"{"TableName": "Orders", "IndexName": "ByStatus", "KeyConditionExpression": "#s = :s", "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "OPEN"}}}"##, ["OPEN"]),
            ("Query", #"{"TableName": "Users", "KeyConditionExpression": "id = :id", "ExpressionAttributeValues": {":id": {"N": "7"}}}"#, ["7"]),
            ("BatchGetItem", #"{"RequestItems": {"Orders": {"Keys": [{"customer": {"S": "c1"}, "order": {"S": "o1"}}, {"customer": {"S": "c2"}, "order": {"S": "o1"}}, {"customer": {"S": "c1"}, "order": {"S": "o2"}}]}}}"#, ["c1", "c2"]),
            ("Scan", #"{"TableName": "Orders"}"#, nil),
            // An unknown table: no key schema, so no value (the request fails with ResourceNotFound).
            ("GetItem", #"{"TableName": "Nope", "Key": {"a": {"S": "1"}, "b": {"S": "2"}}}"#, nil),
        ] as [(String, String, [String]?)])
    func leadingKeys(operation: String, body: String, expected: [String]?) {
        #expect(Self.context(operation, body)["dynamodb:LeadingKeys"] == expected)
    }

    @Test("without a key schema, a one-attribute key still gives its value")
    func leadingKeysWithoutCatalog() {
        let body = #"{"TableName": "T", "Key": {"id": {"S": "u1"}}}"#
        let requests = DynamoDBAuthorizationMapping.requests(for: Self.input("GetItem", body), catalog: .none)
        #expect(requests.first?.context["dynamodb:LeadingKeys"] == ["u1"])
    }

    @Test(
        "dynamodb:Attributes and dynamodb:Select",
        arguments: [
            ("GetItem", ##"{"TableName": "Orders", "Key": {}, "ProjectionExpression": "#t, address.city, parts[0]", "ExpressionAttributeNames": {"#t": "total"}}"##, ["total", "address", "parts"], "SPECIFIC_ATTRIBUTES"),
            ("GetItem", #"{"TableName": "Orders", "Key": {}, "AttributesToGet": ["a", "b"]}"#, ["a", "b"], "SPECIFIC_ATTRIBUTES"),
            ("GetItem", #"{"TableName": "Orders", "Key": {}}"#, nil, "ALL_ATTRIBUTES"),
            ("Query", #"{"TableName": "Orders", "IndexName": "ByStatus"}"#, nil, "ALL_PROJECTED_ATTRIBUTES"),
            ("Query", #"{"TableName": "Orders", "Select": "COUNT"}"#, nil, "COUNT"),
            ("Scan", #"{"TableName": "Orders", "ProjectionExpression": "a"}"#, ["a"], "SPECIFIC_ATTRIBUTES"),
            ("PutItem", #"{"TableName": "Orders", "Item": {"customer": {"S": "c"}, "order": {"S": "o"}, "note": {"S": "n"}}}"#, ["customer", "note", "order"], nil),
            ("UpdateItem", ##"{"TableName": "Orders", "Key": {"customer": {"S": "c"}, "order": {"S": "o"}}, "UpdateExpression": "SET #n = :n, tally.x = :one REMOVE stale ADD cnt :one", "ExpressionAttributeNames": {"#n": "note"}, "ExpressionAttributeValues": {":n": {"S": "x"}, ":one": {"N": "1"}}}"##, ["customer", "order", "cnt", "note", "stale", "tally"], nil),
            ("UpdateItem", #"{"TableName": "Orders", "Key": {"customer": {"S": "c"}, "order": {"S": "o"}}, "AttributeUpdates": {"z": {"Action": "DELETE"}, "a": {"Value": {"S": "1"}}}}"#, ["customer", "order", "a", "z"], nil),
            ("DeleteItem", #"{"TableName": "Orders", "Key": {"customer": {"S": "c"}, "order": {"S": "o"}}}"#, ["customer", "order"], nil),
            // Attributes evaluated in a condition or filter count too ("read, written, or evaluated in a conditional write or scan filter").
            ("PutItem", ##"{"TableName": "Orders", "Item": {"customer": {"S": "c"}, "order": {"S": "o"}}, "ConditionExpression": "attribute_not_exists(#x) OR size(secret) < :n", "ExpressionAttributeNames": {"#x": "flag"}, "ExpressionAttributeValues": {":n": {"N": "3"}}}"##, ["customer", "order", "flag", "secret"], nil),
            ("DeleteItem", #"{"TableName": "Orders", "Key": {"customer": {"S": "c"}, "order": {"S": "o"}}, "Expected": {"locked": {"Exists": false}}}"#, ["customer", "order", "locked"], nil),
            ("UpdateItem", #"{"TableName": "Orders", "Key": {"customer": {"S": "c"}, "order": {"S": "o"}}, "UpdateExpression": "SET a = b + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}"#, ["customer", "order", "a", "b"], nil),
            ("Scan", #"{"TableName": "Orders", "FilterExpression": "price > :p", "ExpressionAttributeValues": {":p": {"N": "1"}}}"#, ["price"], "ALL_ATTRIBUTES"),
            ("Scan", #"{"TableName": "Orders", "ScanFilter": {"price": {"ComparisonOperator": "NOT_NULL"}}}"#, ["price"], "ALL_ATTRIBUTES"),
            ("Query", ##"{"TableName": "Orders", "KeyConditionExpression": "customer = :c AND #o > :o", "ExpressionAttributeNames": {"#o": "order"}, "ExpressionAttributeValues": {":c": {"S": "c"}, ":o": {"S": "1"}}, "ProjectionExpression": "price", "FilterExpression": "rating > :o"}"##, ["customer", "order", "price", "rating"], "SPECIFIC_ATTRIBUTES"),
            ("Query", #"{"TableName": "Orders", "KeyConditionExpression": "customer = :c", "ExpressionAttributeValues": {":c": {"S": "c"}}}"#, ["customer"], "ALL_ATTRIBUTES"),
            ("Query", #"{"TableName": "Orders", "KeyConditions": {"customer": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "c"}]}}, "QueryFilter": {"price": {"ComparisonOperator": "NOT_NULL"}}}"#, ["customer", "price"], "ALL_ATTRIBUTES"),
        ] as [(String, String, [String]?, String?)])
    func attributes(operation: String, body: String, expected: [String]?, select: String?) {
        let context = Self.context(operation, body)
        #expect(context["dynamodb:Attributes"] == expected)
        #expect(context["dynamodb:Select"] == select.map { [$0] })
    }

    @Test("ReturnValues, ReturnConsumedCapacity, EnclosingOperation and the global keys")
    func otherKeys() {
        let put = Self.context("PutItem", #"{"TableName": "Orders", "Item": {}, "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL"}"#)
        #expect(put["dynamodb:ReturnValues"] == ["ALL_OLD"])
        #expect(put["dynamodb:ReturnConsumedCapacity"] == ["TOTAL"])
        #expect(put["aws:username"] == ["alice"])
        #expect(put["aws:userid"] == ["AIDAALICE"])
        #expect(put["aws:PrincipalArn"] == [userARN])
        #expect(put["aws:PrincipalAccount"] == [testAccount])
        #expect(put["aws:PrincipalType"] == ["User"])
        #expect(put["aws:SourceIp"] == ["127.0.0.1"])
        #expect(put["aws:SecureTransport"] == ["false"])
        #expect(put["aws:CurrentTime"] == ["2026-12-24T00:00:00Z"])
        #expect(put["aws:EpochTime"] == ["1798070400"])
        #expect(put["aws:RequestedRegion"] == ["us-east-1"])
        // Item writes always carry ReturnValues: NONE unless the request says otherwise.
        #expect(Self.context("UpdateItem", #"{"TableName": "Orders", "Key": {}}"#)["dynamodb:ReturnValues"] == ["NONE"])
        #expect(Self.context("DeleteItem", #"{"TableName": "Orders", "Key": {}}"#)["dynamodb:ReturnValues"] == ["NONE"])
        #expect(Self.context("GetItem", #"{"TableName": "Orders", "Key": {}}"#)["dynamodb:ReturnValues"] == nil)
        #expect(Self.context("GetItem", #"{"TableName": "Orders", "Key": {}}"#)["dynamodb:ReturnConsumedCapacity"] == ["NONE"])
        #expect(Self.context("DescribeTable", #"{"TableName": "Orders"}"#)["dynamodb:ReturnConsumedCapacity"] == nil)
        let transact = Self.context("TransactGetItems", #"{"TransactItems": [{"Get": {"TableName": "Orders", "Key": {}}}]}"#)
        #expect(transact["dynamodb:EnclosingOperation"] == ["TransactGetItems"])
    }
}

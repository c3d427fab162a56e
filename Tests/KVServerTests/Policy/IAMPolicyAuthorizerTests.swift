import KVStore
import Testing

@testable import KVServer

/// End to end through `IAMPolicyAuthorizer`: the DynamoDB request, the identity's policies, and
/// the AccessDeniedException DynamoDB answers, with IAM's texts
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
@Suite("IAM policy authorizer")
struct IAMPolicyAuthorizerTests {
    static let authorizer = IAMPolicyAuthorizer(catalog: DynamoDBAuthorizationMappingTests.catalog)

    static func denial(_ operation: String, _ body: String, _ policies: [IAMPolicy], streams: Bool = false) -> WireError? {
        let input = DynamoDBAuthorizationMappingTests.input(operation, body, streams: streams, policies: policies)
        do {
            try authorizer.authorize(input)
            return nil
        } catch {
            return error
        }
    }

    /// DynamoDB's body: `{"__type": "com.amazon.coral.service#AccessDeniedException", "Message": "..."}`, HTTP 400.
    static func implicit(_ action: String, _ resource: String) -> WireError {
        WireError(
            type: "com.amazon.coral.service#AccessDeniedException",
            message: "User: \(userARN) is not authorized to perform: \(action) on resource: \(resource) because no identity-based policy allows the \(action) action",
            status: 400, messageKey: "Message")
    }

    static func explicit(_ action: String, _ resource: String) -> WireError {
        WireError(
            type: "com.amazon.coral.service#AccessDeniedException",
            message: "User: \(userARN) is not authorized to perform: \(action) on resource: \(resource) with an explicit deny in an identity-based policy",
            status: 400, messageKey: "Message")
    }

    static let queueWorker = policy(
        #"""
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["dynamodb:Query", "dynamodb:UpdateItem"],
          "Resource": ["arn:aws:dynamodb:*:*:table/Orders", "arn:aws:dynamodb:*:*:table/Orders/index/*"]}]}
        """#)

    @Test("the issue's example policy: Query and UpdateItem on one table and its indexes, nothing else")
    func exampleIdentity() {
        #expect(Self.denial("Query", #"{"TableName": "Orders"}"#, [Self.queueWorker]) == nil)
        #expect(Self.denial("Query", #"{"TableName": "Orders", "IndexName": "ByStatus"}"#, [Self.queueWorker]) == nil)
        #expect(Self.denial("UpdateItem", #"{"TableName": "Orders", "Key": {}}"#, [Self.queueWorker]) == nil)
        #expect(
            Self.denial("PutItem", #"{"TableName": "Orders", "Item": {}}"#, [Self.queueWorker])
                == Self.implicit("dynamodb:PutItem", tableARN("Orders")))
        #expect(
            Self.denial("Query", #"{"TableName": "Users"}"#, [Self.queueWorker])
                == Self.implicit("dynamodb:Query", tableARN("Users")))
        #expect(Self.denial("ListTables", #"{}"#, [Self.queueWorker]) == Self.implicit("dynamodb:ListTables", tableARN("*")))
        #expect(Self.denial("GetItem", #"{"TableName": "Orders", "Key": {}}"#, []) == Self.implicit("dynamodb:GetItem", tableARN("Orders")))
    }

    /// A small body's members are found by comparing names, a larger one's by lookup: both
    /// give what the dictionary holds.
    @Test("the allow cache reads a body's members as a lookup would, small body or large")
    func allowCacheMembers() throws {
        for body in [
            #"{"TableName": "Orders", "Key": {}}"#, #"{"Key": {}, "TableName": "Orders"}"#, #"{"Key": {}}"#, "{}",
            #"{"TableName": "Orders", "IndexName": "ByStatus", "Limit": 1, "Select": "COUNT"}"#,
            #"{"TableName": "Orders", "IndexName": "ByStatus", "Limit": 1, "Select": "COUNT", "ConsistentRead": false}"#,
            #"{"Limit": 1, "Select": "COUNT", "ConsistentRead": false, "ScanIndexForward": true, "ExclusiveStartKey": {}}"#,
        ] {
            guard case .object(let fields) = try JSONParser.parse(body) else {
                Issue.record("not an object: \(body)")
                continue
            }
            for name in ["TableName", "IndexName", "Key", "Missing"] {
                #expect(WireObject.field(name, in: fields) == fields[name], "\(name) in \(body)")
            }
        }
    }

    /// One identity (so one `IAMAllowCache`) asked again and again: a remembered allow never
    /// answers for another operation, table, index or region, and policies with a condition
    /// are not remembered at all.
    @Test("remembered allows stay exact: per operation, table, index and region; none for conditions")
    func allowCache() throws {
        var input = DynamoDBAuthorizationMappingTests.input("Query", #"{"TableName": "Orders"}"#, policies: [Self.queueWorker])
        #expect(input.identity.allowCache != nil)
        // `allowsAsBefore` (the server's check before it builds an input) answers true exactly
        // for what `authorize` allowed before, and never for the Streams API.
        func remembered(streams: Bool = false) -> Bool {
            Self.authorizer.allowsAsBefore(
                identity: input.identity, operation: input.operation, isStreamsAPI: streams, request: input.request,
                decodedTableName: input.decodedTableName, region: input.region)
        }
        func ask(_ operation: String, _ body: String, region: String = "us-east-1") -> WireError? {
            input.operation = operation
            input.request = (try? JSONParser.parse(body)) ?? .null
            input.region = region
            let before = remembered()
            let answer: WireError?
            do {
                try Self.authorizer.authorize(input)
                answer = nil
            } catch {
                answer = error
            }
            if before { #expect(answer == nil, "\(operation) \(body)") }
            #expect(remembered() == (answer == nil && input.identity.allowCache != nil), "\(operation) \(body)")
            #expect(!remembered(streams: true))
            return answer
        }
        for _ in 0..<2 {
            #expect(ask("Query", #"{"TableName": "Orders"}"#) == nil)
            #expect(ask("Query", #"{"TableName": "Orders", "IndexName": "ByStatus"}"#) == nil)
            #expect(ask("PutItem", #"{"TableName": "Orders", "Item": {}}"#) == Self.implicit("dynamodb:PutItem", tableARN("Orders")))
            #expect(ask("Query", #"{"TableName": "Users"}"#) == Self.implicit("dynamodb:Query", tableARN("Users")))
            #expect(
                ask("Scan", #"{"TableName": "Orders", "IndexName": "ByStatus"}"#)
                    == Self.implicit("dynamodb:Scan", tableARN("Orders") + "/index/ByStatus"))
        }
        let regional = policy(
            #"""
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem",
              "Resource": "arn:aws:dynamodb:eu-west-1:*:table/Orders"}]}
            """#)
        input = DynamoDBAuthorizationMappingTests.input("GetItem", "{}", policies: [regional])
        #expect(ask("GetItem", #"{"TableName": "Orders", "Key": {}}"#, region: "eu-west-1") == nil)
        #expect(ask("GetItem", #"{"TableName": "Orders", "Key": {}}"#, region: "us-east-1") == Self.implicit("dynamodb:GetItem", tableARN("Orders")))
        let conditional = policy(
            #"""
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*",
              "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}
            """#)
        input = DynamoDBAuthorizationMappingTests.input("GetItem", "{}", policies: [conditional])
        #expect(input.identity.allowCache == nil)
    }

    /// A body decoded straight from its bytes (GetItem, PutItem: `request` is `.null`, the
    /// decoder's `TableName` beside it) is authorized as its tree would be, and remembered under
    /// the same key: an allow found either way answers the other. Other operations' decoded
    /// bodies (BatchWriteItem) are never remembered.
    @Test("decoded bodies: the same answers and the same remembered allows as their trees")
    func decodedBodies() {
        let orders = statementPolicy(#"{"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:BatchWriteItem"], "Resource": "arn:aws:dynamodb:*:*:table/Orders"}"#)
        func input(_ operation: String, _ body: String, decodedTable: String?) -> AuthorizationInput {
            var input = DynamoDBAuthorizationMappingTests.input(operation, body, policies: [orders], decodeBody: decodedTable == nil)
            input.decodedTableName = decodedTable
            return input
        }
        func remembered(_ input: AuthorizationInput) -> Bool {
            Self.authorizer.allowsAsBefore(
                identity: input.identity, operation: input.operation, isStreamsAPI: false, request: input.request,
                decodedTableName: input.decodedTableName, region: input.region)
        }
        func answer(_ input: AuthorizationInput) -> WireError? {
            do {
                try Self.authorizer.authorize(input)
                return nil
            } catch {
                return error
            }
        }
        // The server's first look-up for a decoded body: by its target as received.
        func rememberedByTarget(_ input: AuthorizationInput, target: String? = nil, region: String? = nil) -> Bool {
            Self.authorizer.allowsAsBefore(
                identity: input.identity, target: target ?? "DynamoDB_20120810." + input.operation,
                decodedTableName: input.decodedTableName ?? "", region: region ?? input.region)
        }
        let getOrders = #"{"TableName": "Orders", "Key": {"id": {"S": "1"}}}"#
        let decoded = input("GetItem", getOrders, decodedTable: "Orders")
        let tree = input("GetItem", getOrders, decodedTable: nil)
        #expect(decoded.identity.allowCache != nil)
        #expect(!remembered(decoded) && !remembered(tree))
        #expect(!rememberedByTarget(decoded))
        #expect(answer(decoded) == nil)
        // One cache per identity: the tree's request shares the decoded one's.
        var sameIdentityTree = tree
        sameIdentityTree.identity = decoded.identity
        #expect(remembered(decoded) && remembered(sameIdentityTree))
        // Found by its key, then by its target; never for the Streams API, another region,
        // another operation, or an operation that is not remembered.
        for _ in 0..<3 {
            #expect(rememberedByTarget(decoded))
            #expect(!rememberedByTarget(decoded, target: "DynamoDBStreams_20120810.GetItem"))
            #expect(!rememberedByTarget(decoded, region: "eu-west-1"))
            #expect(!rememberedByTarget(decoded, target: "DynamoDB_20120810.PutItem"))
            #expect(!rememberedByTarget(decoded, target: "DynamoDB_20120810.BatchWriteItem"))
            #expect(!rememberedByTarget(input("GetItem", getOrders, decodedTable: "Orders")), "another identity")
        }

        let getUsers = #"{"TableName": "Users", "Key": {"id": {"S": "1"}}}"#
        var users = input("GetItem", getUsers, decodedTable: "Users")
        users.identity = decoded.identity
        #expect(answer(users) == Self.implicit("dynamodb:GetItem", tableARN("Users")))
        #expect(!remembered(users))
        #expect(!rememberedByTarget(users))
        #expect(rememberedByTarget(decoded))

        let batch = #"{"RequestItems": {"Orders": [{"PutRequest": {"Item": {"id": {"S": "1"}}}}]}}"#
        // As the server sends it: decoded (no tree), and no table name of its own.
        var batchWrite = DynamoDBAuthorizationMappingTests.input("BatchWriteItem", batch, policies: [orders], decodeBody: false)
        batchWrite.identity = decoded.identity
        #expect(answer(batchWrite) == nil)
        #expect(!remembered(batchWrite))
    }

    @Test("explicit deny over allow, with its own text")
    func explicitDeny() {
        let everything = statementPolicy(#"{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}"#)
        let noDeletes = statementPolicy(#"{"Effect": "Deny", "Action": ["dynamodb:DeleteItem", "dynamodb:DeleteTable"], "Resource": "arn:aws:dynamodb:*:*:table/Orders"}"#)
        #expect(Self.denial("DeleteItem", #"{"TableName": "Orders", "Key": {}}"#, [everything, noDeletes]) == Self.explicit("dynamodb:DeleteItem", tableARN("Orders")))
        #expect(Self.denial("DeleteItem", #"{"TableName": "Users", "Key": {}}"#, [everything, noDeletes]) == nil)
        #expect(Self.denial("GetItem", #"{"TableName": "Orders", "Key": {}}"#, [everything, noDeletes]) == nil)
    }

    @Test("batches are checked per table; the first table not allowed is named")
    func batches() {
        let ordersOnly = statementPolicy(#"{"Effect": "Allow", "Action": ["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"], "Resource": "arn:aws:dynamodb:*:*:table/Orders"}"#)
        #expect(Self.denial("BatchGetItem", #"{"RequestItems": {"Orders": {"Keys": []}}}"#, [ordersOnly]) == nil)
        #expect(
            Self.denial("BatchGetItem", #"{"RequestItems": {"Orders": {"Keys": []}, "Users": {"Keys": []}}}"#, [ordersOnly])
                == Self.implicit("dynamodb:BatchGetItem", tableARN("Users")))
        #expect(
            Self.denial("BatchWriteItem", #"{"RequestItems": {"Users": [{"DeleteRequest": {"Key": {"id": {"N": "1"}}}}]}}"#, [ordersOnly])
                == Self.implicit("dynamodb:BatchWriteItem", tableARN("Users")))
        // PutItem alone does not allow BatchWriteItem.
        let putOnly = statementPolicy(#"{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*"}"#)
        #expect(
            Self.denial("BatchWriteItem", #"{"RequestItems": {"Orders": []}}"#, [putOnly])
                == Self.implicit("dynamodb:BatchWriteItem", tableARN("Orders")))
    }

    @Test("transactions need the item action of each part, ConditionCheckItem for condition checks")
    func transactions() {
        let writes = statementPolicy(#"{"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem"], "Resource": "*"}"#)
        let body = #"{"TransactItems": [{"Put": {"TableName": "Orders", "Item": {}}}, {"ConditionCheck": {"TableName": "Users", "Key": {}, "ConditionExpression": "attribute_exists(id)"}}]}"#
        #expect(Self.denial("TransactWriteItems", body, [writes]) == Self.implicit("dynamodb:ConditionCheckItem", tableARN("Users")))
        let checks = statementPolicy(#"{"Effect": "Allow", "Action": "dynamodb:ConditionCheckItem", "Resource": "*"}"#)
        #expect(Self.denial("TransactWriteItems", body, [writes, checks]) == nil)
        // The TransactWriteItems action itself is not what IAM checks.
        let transactOnly = statementPolicy(#"{"Effect": "Allow", "Action": "dynamodb:Transact*", "Resource": "*"}"#)
        #expect(Self.denial("TransactWriteItems", body, [transactOnly]) == Self.implicit("dynamodb:PutItem", tableARN("Orders")))
        let get = #"{"TransactItems": [{"Get": {"TableName": "Orders", "Key": {}}}]}"#
        #expect(Self.denial("TransactGetItems", get, [writes]) == Self.implicit("dynamodb:GetItem", tableARN("Orders")))
        // Blocking only transactional use, as the transactions IAM page shows.
        let noTransactions = statementPolicy(#"{"Effect": "Deny", "Action": "dynamodb:GetItem", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"dynamodb:EnclosingOperation": ["TransactGetItems"]}}}"#)
        let reads = statementPolicy(#"{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}"#)
        #expect(Self.denial("TransactGetItems", get, [reads, noTransactions]) == Self.explicit("dynamodb:GetItem", tableARN("Orders")))
        #expect(Self.denial("GetItem", #"{"TableName": "Orders", "Key": {}}"#, [reads, noTransactions]) == nil)
    }

    @Test("streams actions against the stream ARN")
    func streams() {
        let reader = statementPolicy(#"{"Effect": "Allow", "Action": ["dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords", "dynamodb:ListStreams"], "Resource": ["arn:aws:dynamodb:*:*:table/Orders/stream/*"]}"#)
        #expect(Self.denial("GetRecords", #"{"ShardIterator": "iter-1"}"#, [reader], streams: true) == nil)
        #expect(Self.denial("DescribeStream", #"{"StreamArn": "arn:aws:dynamodb:us-east-1:000000000000:table/Orders/stream/L1"}"#, [reader], streams: true) == nil)
        #expect(
            Self.denial("DescribeStream", #"{"StreamArn": "arn:aws:dynamodb:us-east-1:000000000000:table/Users/stream/L1"}"#, [reader], streams: true)
                == Self.implicit("dynamodb:DescribeStream", tableARN("Users/stream/L1")))
        #expect(Self.denial("ListStreams", #"{}"#, [reader], streams: true) == Self.implicit("dynamodb:ListStreams", "*"))
    }

    @Test("LeadingKeys: each user only reaches items under their own partition key")
    func leadingKeys() {
        let own = statementPolicy(
            #"""
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
             "Resource": "arn:aws:dynamodb:*:*:table/Orders",
             "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}}}
            """#)
        #expect(Self.denial("GetItem", #"{"TableName": "Orders", "Key": {"customer": {"S": "alice"}, "order": {"S": "1"}}}"#, [own]) == nil)
        #expect(
            Self.denial("GetItem", #"{"TableName": "Orders", "Key": {"customer": {"S": "bob"}, "order": {"S": "1"}}}"#, [own])
                == Self.implicit("dynamodb:GetItem", tableARN("Orders")))
        #expect(Self.denial("PutItem", #"{"TableName": "Orders", "Item": {"customer": {"S": "alice"}, "order": {"S": "2"}}}"#, [own]) == nil)
        #expect(Self.denial("Query", #"{"TableName": "Orders", "KeyConditionExpression": "customer = :c", "ExpressionAttributeValues": {":c": {"S": "alice"}}}"#, [own]) == nil)
        #expect(Self.denial("Query", #"{"TableName": "Orders", "KeyConditionExpression": "customer = :c", "ExpressionAttributeValues": {":c": {"S": "bob"}}}"#, [own]) != nil)
        #expect(
            Self.denial("BatchGetItem", #"{"RequestItems": {"Orders": {"Keys": [{"customer": {"S": "alice"}, "order": {"S": "1"}}, {"customer": {"S": "bob"}, "order": {"S": "1"}}]}}}"#, [own])
                == Self.implicit("dynamodb:BatchGetItem", tableARN("Orders")))
    }

    @Test("Attributes: reads limited to named attributes, with Select required to be SPECIFIC_ATTRIBUTES")
    func attributes() {
        let limited = statementPolicy(
            #"""
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"], "Resource": "arn:aws:dynamodb:*:*:table/Orders",
             "Condition": {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["customer", "order", "status", "amount"]},
                           "StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}}}
            """#)
        #expect(Self.denial("GetItem", ##"{"TableName": "Orders", "Key": {}, "ProjectionExpression": "#s, amount", "ExpressionAttributeNames": {"#s": "status"}}"##, [limited]) == nil)
        #expect(Self.denial("GetItem", #"{"TableName": "Orders", "Key": {}, "ProjectionExpression": "amount, cardNumber"}"#, [limited]) != nil)
        // No projection: Select defaults to ALL_ATTRIBUTES, which the policy does not allow.
        #expect(Self.denial("GetItem", #"{"TableName": "Orders", "Key": {}}"#, [limited]) != nil)
        #expect(Self.denial("Query", #"{"TableName": "Orders", "Select": "SPECIFIC_ATTRIBUTES", "AttributesToGet": ["amount"]}"#, [limited]) == nil)
        #expect(Self.denial("UpdateItem", ##"{"TableName": "Orders", "Key": {"customer": {"S": "c"}, "order": {"S": "o"}}, "UpdateExpression": "SET #s = :s", "ExpressionAttributeNames": {"#s": "status"}, "ExpressionAttributeValues": {":s": {"S": "x"}}}"##, [limited]) == nil)
        #expect(
            Self.denial("UpdateItem", #"{"TableName": "Orders", "Key": {"customer": {"S": "c"}, "order": {"S": "o"}}, "UpdateExpression": "SET cardNumber = :s", "ExpressionAttributeValues": {":s": {"S": "x"}}}"#, [limited])
                == Self.implicit("dynamodb:UpdateItem", tableARN("Orders")))
    }

    @Test("global keys: secure transport and source address")
    func globalKeys() {
        let tlsOnly = statementPolicy(#"{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}"#)
        #expect(Self.denial("DescribeLimits", #"{}"#, [tlsOnly]) == Self.implicit("dynamodb:DescribeLimits", "*"))
        let loopback = statementPolicy(#"{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}}"#)
        #expect(Self.denial("DescribeLimits", #"{}"#, [loopback]) == nil)
        let beforeExpiry = statementPolicy(#"{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-12-23T00:00:00Z"}}}"#)
        #expect(Self.denial("DescribeLimits", #"{}"#, [beforeExpiry]) != nil)
    }
}

@Suite("IAM policy authorizer: dynamodb keys only when mentioned")
struct IAMPolicyDynamoDBKeysTests {
    @Test("policies without dynamodb: keys skip reading them; with one (or a variable) they are read")
    func mentions() {
        #expect(!statementPolicy(#"{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}"#).mentionsDynamoDBKeys)
        #expect(statementPolicy(#"{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*", "Condition": {"StringEquals": {"DynamoDB:Select": "COUNT"}}}"#).mentionsDynamoDBKeys)
        #expect(statementPolicy(#"{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*", "Condition": {"StringEquals": {"aws:username": "${dynamodb:Select}"}}}"#).mentionsDynamoDBKeys)
        let input = DynamoDBAuthorizationMappingTests.input("GetItem", #"{"TableName": "Orders", "Key": {"customer": {"S": "c"}, "order": {"S": "o"}}}"#)
        let lean = DynamoDBAuthorizationMapping.requests(for: input, catalog: DynamoDBAuthorizationMappingTests.catalog, dynamoDBKeys: false)
        #expect(lean.first?.context["dynamodb:LeadingKeys"] == nil)
        #expect(lean.first?.resource == tableARN("Orders"))
        let full = DynamoDBAuthorizationMapping.requests(for: input, catalog: DynamoDBAuthorizationMappingTests.catalog)
        #expect(full.first?.context["dynamodb:LeadingKeys"] == ["c"])
    }
}

@Suite("IAM policy authorizer: large requests")
struct IAMPolicyLargeRequestTests {
    /// An item may carry tens of thousands of attributes: collecting and checking
    /// `dynamodb:Attributes` must stay linear, or one request could stall the server.
    @Test("a put with 20,000 attributes is checked attribute by attribute", .timeLimit(.minutes(1)))
    func manyAttributes() {
        var names = (0..<20_000).map { "\"a\($0)\": {\"S\": \"v\"}" }
        names.append(#""customer": {"S": "c"}, "order": {"S": "o"}"#)
        let body = #"{"TableName": "Orders", "Item": {"# + names.joined(separator: ", ") + "}}"
        let prefixed = statementPolicy(
            #"{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*", "Condition": {"ForAllValues:StringLike": {"dynamodb:Attributes": ["a*", "customer", "order"]}}}"#)
        #expect(IAMPolicyAuthorizerTests.denial("PutItem", body, [prefixed]) == nil)
        let exact = statementPolicy(
            #"{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["customer", "order", "a1"]}}}"#)
        #expect(IAMPolicyAuthorizerTests.denial("PutItem", body, [exact]) == IAMPolicyAuthorizerTests.implicit("dynamodb:PutItem", tableARN("Orders")))
    }
}

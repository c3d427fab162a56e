import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import KVServer
@testable import KVStore

/// `GetItemBodyDecoder` must read every body it accepts exactly as the general path
/// (`JSONParser` then `GetItemOperation.parse`) does, and decline everything else: a declined
/// body takes the general path, which gives its exact error.
@Suite struct GetItemBodyDecoderTests {
    static let accepted: [String] = [
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}}}"#,
        // Whitespace everywhere the grammar allows it, members in another order, every member.
        """
         { "ReturnConsumedCapacity" : "INDEXES" , "ConsistentRead" : true ,
           "Key" : { "pk" : { "S" : "q1" } , "sk" : { "N" : "-1.50e3" } } ,
           "ProjectionExpression" : "payload, m.x[2], l" ,
           "TableName" : "t_2.x-y" }\t\r

        """,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ConsistentRead":false,"ReturnConsumedCapacity":"TOTAL"}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ReturnConsumedCapacity":"NONE"}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ProjectionExpression":"payload"}"#,
        // Escapes and non-ASCII text in names and values; a member name written with an escape.
        #"{"Table\u004eame":"plain","Key":{"p\u00e9":{"S":"tab\there \"q\" \u00e9 😀"},"b":{"B":"AAEC"}}}"#,
        // Key values of every type: the engine refuses those the schema does not take, on both paths.
        #"{"TableName":"plain","Key":{"t":{"BOOL":true},"z":{"NULL":true},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2.5"]},"bs":{"BS":["AQ==","Ag=="]},"l":{"L":[{"S":"x"},{"M":{}}]},"m":{"M":{"e":{"S":""}}}}}"#,
        #"{"TableName":"plain","Key":{}}"#,
        // The shortest and the longest plain names GetItem's checks take.
        #"{"TableName":"a","Key":{"pk":{"S":"r1"}}}"#,
        #"{"TableName":"\#(String(repeating: "n", count: 255))","Key":{"pk":{"S":"r1"}}}"#,
    ]

    static let declined: [String] = [
        "",
        "{}",
        "[]",
        "null",
        #"{"TableName":"plain"}"#,
        #"{"Key":{"pk":{"S":"r1"}}}"#,
        // Table names the general path refuses or reads as ARNs.
        #"{"TableName":"","Key":{"pk":{"S":"r1"}}}"#,
        #"{"TableName":"a b","Key":{"pk":{"S":"r1"}}}"#,
        #"{"TableName":"\#(String(repeating: "n", count: 256))","Key":{"pk":{"S":"r1"}}}"#,
        #"{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/plain","Key":{"pk":{"S":"r1"}}}"#,
        #"{"TableName":"caf\u00e9","Key":{"pk":{"S":"r1"}}}"#,
        #"{"TableName":5,"Key":{"pk":{"S":"r1"}}}"#,
        #"{"TableName":null,"Key":{"pk":{"S":"r1"}}}"#,
        #"{"TableName":"plain","TableName":"plain","Key":{"pk":{"S":"r1"}}}"#,
        // Keys the general path refuses, or reads differently.
        #"{"TableName":"plain","Key":null}"#,
        #"{"TableName":"plain","Key":[]}"#,
        #"{"TableName":"plain","Key":"pk"}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"Key":{"pk":{"S":"r2"}}}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"},"pk":{"S":"r2"}}}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1","N":"1"}}}"#,
        #"{"TableName":"plain","Key":{"pk":{}}}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":1}}}"#,
        #"{"TableName":"plain","Key":{"pk":{"N":"1x"}}}"#,
        #"{"TableName":"plain","Key":{"pk":{"B":"A"}}}"#,
        #"{"TableName":"plain","Key":{"pk":{"SS":["a","a"]}}}"#,
        #"{"TableName":"plain","Key":{"pk":{"NULL":false}}}"#,
        #"{"TableName":"plain","Key":{"pk":{"s":"r1"}}}"#,
        // Members it leaves to the general path.
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"Unknown":1}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"AttributesToGet":["payload"]}"#,
        ##"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ProjectionExpression":"#p","ExpressionAttributeNames":{"#p":"payload"}}"##,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ExpressionAttributeNames":{}}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ExpressionAttributeValues":{":v":{"S":"x"}}}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"tablename":"plain"}"#,
        // Member values of the wrong type or value, or null.
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ConsistentRead":"true"}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ConsistentRead":1}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ConsistentRead":null}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ConsistentRead":true,"ConsistentRead":false}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ReturnConsumedCapacity":"ALL"}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ReturnConsumedCapacity":"total"}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ReturnConsumedCapacity":null}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ProjectionExpression":null}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ProjectionExpression":5}"#,
        // Projections the general path refuses.
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ProjectionExpression":""}"#,
        ##"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ProjectionExpression":"#p"}"##,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ProjectionExpression":"a, a"}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ProjectionExpression":"a, a.b"}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ProjectionExpression":"a.["}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ProjectionExpression":":v"}"#,
        // A reserved word.
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},"ProjectionExpression":"m.inner"}"#,
        // Not JSON, or more than one document.
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}}} x"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}},}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1"}}"#,
        #"{"TableName":"plain","Key":{"pk":{"S":"r1\u00"}}}"#,
        #"{"TableName":"plain" "Key":{"pk":{"S":"r1"}}}"#,
    ]

    @Test(arguments: accepted)
    func acceptedBodiesReadAsTheGeneralPathReadsThem(_ body: String) throws {
        let bytes = Array(body.utf8)
        let fast = try #require(bytes.withUnsafeBytes { GetItemBodyDecoder.decode($0) })
        let (request, mode) = try GetItemOperation.parse(try JSONParser.parse(bytes))
        #expect(Self.same(fast, GetItemBodyDecoder.Decoded(request: request, mode: mode)))
    }

    @Test(arguments: declined)
    func otherBodiesTakeTheGeneralPath(_ body: String) {
        let bytes = Array(body.utf8)
        #expect(bytes.withUnsafeBytes { GetItemBodyDecoder.decode($0) } == nil)
    }

    @Test func nestingIsDeclinedWhereTheGeneralPathRefusesIt() throws {
        func body(levels: Int) -> [UInt8] {
            var value = #"{"S":"leaf"}"#
            for _ in 0..<levels { value = #"{"L":[\#(value)]}"# }
            return Array(#"{"TableName":"plain","Key":{"k":\#(value)}}"#.utf8)
        }
        let deepest = body(levels: AttributeValueWire.maxDepth - 1)
        #expect(deepest.withUnsafeBytes { GetItemBodyDecoder.decode($0) } != nil)
        _ = try GetItemOperation.parse(try JSONParser.parse(deepest))
        let tooDeep = body(levels: AttributeValueWire.maxDepth)
        #expect(tooDeep.withUnsafeBytes { GetItemBodyDecoder.decode($0) } == nil)
        #expect(throws: KVError.self) { try GetItemOperation.parse(try JSONParser.parse(tooDeep)) }
    }

    /// Every truncation and single-byte corruption of an accepted body either is declined or
    /// reads as the general path reads it; none traps.
    @Test(arguments: [0, 1, 5])
    func corruptedBodiesNeverDisagree(_ which: Int) throws {
        let bytes = Array(Self.accepted[which].utf8)
        var variants: [[UInt8]] = (0..<bytes.count).map { Array(bytes[0..<$0]) }
        for position in 0..<bytes.count {
            for replacement: UInt8 in [0x00, 0x20, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C, 0xFF, 0x61, 0x6E, 0x23] {
                var corrupted = bytes
                corrupted[position] = replacement
                variants.append(corrupted)
            }
        }
        for variant in variants {
            guard let fast = variant.withUnsafeBytes({ GetItemBodyDecoder.decode($0) }) else { continue }
            let (request, mode) = try GetItemOperation.parse(try JSONParser.parse(variant))
            #expect(Self.same(fast, GetItemBodyDecoder.Decoded(request: request, mode: mode)))
        }
    }

    /// Whether two decoded bodies are the same request (`GetItemRequest` is not `Equatable`).
    static func same(_ a: GetItemBodyDecoder.Decoded, _ b: GetItemBodyDecoder.Decoded) -> Bool {
        a.mode == b.mode && a.request.tableName == b.request.tableName && a.request.key == b.request.key
            && a.request.consistentRead == b.request.consistentRead
            && a.request.projection?.paths == b.request.projection?.paths
            && a.request.returnsStoredItem == b.request.returnsStoredItem
    }
}

/// The API's router over a live server: a GetItem body takes the direct decoder or the JSON
/// tree, with the same answers and errors; the metrics still see its table.
@Suite struct GetItemRoutingTests {
    static let target = "DynamoDB_20120810.GetItem"

    @Test func bothPathsGiveTheSameAnswers() async throws {
        try await BatchWriteRoutingTests.withAPIServer { port in
            let create = try await BatchWriteRoutingTests.call(
                port, "DynamoDB_20120810.CreateTable",
                #"{"TableName":"bench","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]}"#)
            #expect(create.status == 200)
            let put = try await BatchWriteRoutingTests.call(
                port, "DynamoDB_20120810.PutItem",
                #"{"TableName":"bench","Item":{"pk":{"S":"k1"},"n":{"N":"1"},"m":{"M":{"a":{"S":"x"},"b":{"L":[{"N":"2"}]}}}}}"#)
            #expect(put.status == 200)
            // The same body with a null member (which the general path reads as absent) goes
            // through the tree; without it, through the decoder.
            let bodies = [
                #""Key":{"pk":{"S":"k1"}}"#,
                #""Key":{"pk":{"S":"k1"}},"ConsistentRead":true,"ReturnConsumedCapacity":"TOTAL""#,
                #""Key":{"pk":{"S":"k1"}},"ReturnConsumedCapacity":"INDEXES","ProjectionExpression":"m.b[0], n""#,
                #""Key":{"pk":{"S":"absent"}}"#,
                #""Key":{"pk":{"N":"1"}}"#,
                #""Key":{"pk":{"S":"k1"},"n":{"N":"1"}}"#,
                #""Key":{}"#,
                #""Key":{"pk":{"S":""}}"#,
            ]
            for table in ["bench", "missing"] {
                for members in bodies {
                    let direct = try await BatchWriteRoutingTests.call(port, Self.target, #"{"TableName":"\#(table)",\#(members)}"#)
                    let general = try await BatchWriteRoutingTests.call(
                        port, Self.target, #"{"TableName":"\#(table)",\#(members),"AttributesToGet":null}"#)
                    #expect(direct.status == general.status, "\(table) \(members)")
                    #expect(try JSONParser.parse(direct.body) == JSONParser.parse(general.body), "\(table) \(members)")
                }
            }
            let found = try await BatchWriteRoutingTests.call(port, Self.target, #"{"TableName":"bench","Key":{"pk":{"S":"k1"}},"ProjectionExpression":"n"}"#)
            #expect(try JSONParser.parse(found.body) == JSONParser.parse(#"{"Item":{"n":{"N":"1"}}}"#))
            let missing = try await BatchWriteRoutingTests.call(port, Self.target, #"{"TableName":"missing","Key":{"pk":{"S":"k1"}}}"#)
            #expect(missing.status == 400)
            #expect(missing.text.contains("ResourceNotFoundException"))
        }
    }

    @Test func frontEndChecksKeepTheirOrder() async throws {
        try await BatchWriteRoutingTests.withAPIServer { port in
            let ordinary = #"{"TableName":"missing","Key":{"pk":{"S":"a"}}}"#
            let unknown = try await BatchWriteRoutingTests.call(port, "DynamoDB_20120810.GetItems", ordinary)
            #expect(unknown.text.contains("UnknownOperationException"))
            let noTarget = try await BatchWriteRoutingTests.call(port, nil, ordinary)
            #expect(noTarget.text.contains("UnknownOperationException"))
            let broken = try await BatchWriteRoutingTests.call(port, Self.target, String(ordinary.dropLast()))
            #expect(broken.text.contains("SerializationException"))
            let missing = try await BatchWriteRoutingTests.call(port, Self.target, ordinary)
            #expect(missing.text.contains("ResourceNotFoundException"))
        }
    }

    /// The metrics and the access log label a decoded GetItem with its table, as they label
    /// one read through the tree.
    @Test func aDecodedCallNamesItsTable() async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let engine = try await KVEngine(configuration: EngineConfiguration(dataDirectory: nil), logger: logger)
        defer { engine.shutdown() }
        let processor = APIRequestProcessor(
            router: DynamoDBOperations.router(engine: engine), authenticator: AcceptAnyCredentialsAuthenticator(),
            logger: logger)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")
        for (name, value) in RawHTTPClient.signed { head.headers.add(name: name, value: value) }
        head.headers.add(name: "x-amz-target", value: Self.target)
        let observer = RequestObserver(metrics: nil, accessLog: nil)
        for (body, decoded) in [
            (#"{"TableName":"Orders","Key":{"pk":{"S":"a"}}}"#, true),
            (#"{"TableName":"Orders","Key":{"pk":{"S":"a"}},"AttributesToGet":null}"#, false),
        ] {
            var decision = processor.decide(head: head, body: ByteBuffer(string: body), localAddress: "127.0.0.1:0")
            guard case .call(let call) = decision else {
                Issue.record("no call for \(body)")
                continue
            }
            #expect((call.tableName != nil) == decoded)
            #expect((call.inlineHandler != nil) == engine.readsInline)
            let request = observer.started(&decision, target: Self.target, router: processor.router, requestBytes: body.utf8.count)
            #expect(request.table == "Orders")
        }
    }
}

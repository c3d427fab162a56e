import Logging
import Testing

@testable import KVServer
@testable import KVStore

/// `BatchWriteBodyDecoder` must read every body it accepts exactly as the general path
/// (`JSONParser` then `BatchWriteItemOperation.input`) does, and decline everything else.
@Suite struct BatchWriteBodyDecoderTests {
    static let payload = String(repeating: "x", count: 160)

    static let accepted: [String] = [
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"pk":{"S":"b1-1"},"payload":{"S":"\#(payload)"}}}}]}}"#,
        // Whitespace everywhere the grammar allows it, members in another order.
        """
         { "ReturnItemCollectionMetrics" : "NONE" ,
           "RequestItems" : { "t_2" : [ { "DeleteRequest" : { "Key" : { "id" : { "N" : "1.50" } } } } ,
                                        { "PutRequest" : { "Item" : { "id" : { "N" : "-2e3" } } } } ] } ,
           "ReturnConsumedCapacity" : "INDEXES" }\t\r

        """,
        // Several tables, given out of order (the general path sorts them), and a table ARN.
        #"{"RequestItems":{"zeta":[{"PutRequest":{"Item":{"k":{"S":"z"}}}}],"arn:aws:dynamodb:us-east-1:000000000000:table/alpha":[{"DeleteRequest":{"Key":{"k":{"S":"a"}}}}],"mid":[{"PutRequest":{"Item":{}}}]},"ReturnConsumedCapacity":"TOTAL"}"#,
        // Every attribute type, nested, with escapes and non-ASCII text in names and values.
        #"{"RequestItems":{"all":[{"PutRequest":{"Item":{"s":{"S":"tab\there \"q\" \u00e9 😀"},"n\u00e9":{"N":"0"},"b":{"B":"AAEC"},"t":{"BOOL":true},"f":{"BOOL":false},"z":{"NULL":true},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2.5"]},"bs":{"BS":["AQ==","Ag=="]},"l":{"L":[{"S":"x"},{"L":[]},{"M":{}}]},"m":{"M":{"inner":{"M":{"deep":{"N":"7"}}},"e":{"S":""}}}}}}]},"ReturnConsumedCapacity":"NONE"}"#,
        // 25 writes, the most one table's list may hold.
        #"{"RequestItems":{"many":["# + (1...25).map { #"{"PutRequest":{"Item":{"k":{"S":"\#($0)"}}}}"# }.joined(separator: ",") + "]}}",
        // Keys a schema will refuse are for the engine to refuse, on both paths.
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{}}},{"DeleteRequest":{"Key":{}}}]}}"#,
    ]

    static let declined: [String] = [
        "",
        "{}",
        "[]",
        #"{"RequestItems":{}}"#,
        #"{"RequestItems":{"bench":[]}}"#,
        #"{"RequestItems":{"bench":["# + (1...26).map { #"{"PutRequest":{"Item":{"k":{"S":"\#($0)"}}}}"# }.joined(separator: ",") + "]}}",
        #"{"RequestItems":{"b":[{"PutRequest":{"Item":{"k":{"S":"x"}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"x"}}}}]},"Unknown":1}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"x"}}}}]},"ReturnConsumedCapacity":"ALL"}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"x"}}}}]},"ReturnConsumedCapacity":null}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"x"}}}}]},"ReturnItemCollectionMetrics":"ALL"}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"x"}}}}]},"RequestItems":{"bench":[]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"x"}}},"DeleteRequest":{"Key":{"k":{"S":"x"}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"x"}}},"DeleteRequest":null}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":null}}]}}"#,
        #"{"RequestItems":{"bench":[{}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"x"},"k":{"S":"y"}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"x","N":"1"}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"x","extra":1}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":1}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"N":"1x"}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"B":"A"}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"NULL":false}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"SS":[]}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"SS":["a","a"]}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"NS":["1","1.0"]}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"BS":["AQ==","AQ=="]}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"BOOL":"true"}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"M":[]}}}}]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"x"}}}}]}} x"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"x"}}}},]}}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"x"}}}}]}"#,
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"x\u00"}}}}]}}"#,
        // An item over 400 KB.
        #"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":{"S":"\#(String(repeating: "y", count: 409_600))"}}}}]}}"#,
    ]

    @Test(arguments: accepted)
    func acceptedBodiesReadAsTheGeneralPathReadsThem(_ body: String) throws {
        let bytes = Array(body.utf8)
        let fast = try #require(bytes.withUnsafeBytes { BatchWriteBodyDecoder.decode($0) })
        let general = try BatchWriteItemOperation.input(try JSONParser.parse(bytes))
        #expect(Self.same(fast, general))
    }

    @Test(arguments: declined)
    func otherBodiesTakeTheGeneralPath(_ body: String) {
        let bytes = Array(body.utf8)
        #expect(bytes.withUnsafeBytes { BatchWriteBodyDecoder.decode($0) } == nil)
    }

    @Test func manyTablesReadInKeyOrder() throws {
        let tables = (0..<2000).shuffled().map { #""table-\#($0)":[{"PutRequest":{"Item":{"k":{"S":"\#($0)"}}}}]"# }
        let bytes = Array(#"{"RequestItems":{\#(tables.joined(separator: ","))}}"#.utf8)
        let fast = try #require(bytes.withUnsafeBytes { BatchWriteBodyDecoder.decode($0) })
        #expect(fast.tables.count == 2000)
        #expect(Self.same(fast, try BatchWriteItemOperation.input(try JSONParser.parse(bytes))))
        // A table named twice (the general path keeps the last): declined.
        let write = #"[{"DeleteRequest":{"Key":{"k":{"S":"a"}}}}]"#
        let repeated = Array(#"{"RequestItems":{"ttt":\#(write),"ttt":\#(write)}}"#.utf8)
        #expect(repeated.withUnsafeBytes { BatchWriteBodyDecoder.decode($0) } == nil)
    }

    @Test func nestingIsDeclinedWhereTheGeneralPathRefusesIt() throws {
        func body(levels: Int) -> [UInt8] {
            var value = #"{"S":"leaf"}"#
            for _ in 0..<levels { value = #"{"L":[\#(value)]}"# }
            return Array(#"{"RequestItems":{"bench":[{"PutRequest":{"Item":{"k":\#(value)}}}]}}"#.utf8)
        }
        let deepest = body(levels: AttributeValueWire.maxDepth - 1)
        #expect(deepest.withUnsafeBytes { BatchWriteBodyDecoder.decode($0) } != nil)
        _ = try BatchWriteItemOperation.input(try JSONParser.parse(deepest))
        let tooDeep = body(levels: AttributeValueWire.maxDepth)
        #expect(tooDeep.withUnsafeBytes { BatchWriteBodyDecoder.decode($0) } == nil)
        #expect(throws: KVError.self) { try BatchWriteItemOperation.input(try JSONParser.parse(tooDeep)) }
    }

    /// Every truncation and single-byte corruption of an accepted body either is declined or
    /// reads as the general path reads it; none traps.
    @Test func corruptedBodiesNeverDisagree() throws {
        let bytes = Array(Self.accepted[3].utf8)
        var variants: [[UInt8]] = (0..<bytes.count).map { Array(bytes[0..<$0]) }
        for position in stride(from: 0, to: bytes.count, by: 3) {
            for replacement: UInt8 in [0x00, 0x20, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C, 0xFF, 0x61] {
                var corrupted = bytes
                corrupted[position] = replacement
                variants.append(corrupted)
            }
        }
        for variant in variants {
            guard let fast = variant.withUnsafeBytes({ BatchWriteBodyDecoder.decode($0) }) else { continue }
            let general = try BatchWriteItemOperation.input(try JSONParser.parse(variant))
            #expect(Self.same(fast, general))
        }
    }

    /// Whether two inputs are the same request (`BatchWrite` is not `Equatable`).
    static func same(_ a: BatchWriteItemOperation.Input, _ b: BatchWriteItemOperation.Input) -> Bool {
        guard a.capacityMode == b.capacityMode, a.tables.count == b.tables.count else { return false }
        for (x, y) in zip(a.tables, b.tables) {
            guard x.key == y.key, x.writes.count == y.writes.count else { return false }
            for pair in zip(x.writes, y.writes) {
                switch pair {
                case (.put(let first), .put(let second)), (.delete(let first), .delete(let second)):
                    if first != second { return false }
                default:
                    return false
                }
            }
        }
        return true
    }
}

/// The API's router over a live server: a BatchWriteItem body takes the direct decoder or the
/// JSON tree, with the same answers, and the front end's order of checks is unchanged.
@Suite struct BatchWriteRoutingTests {
    static let target = "DynamoDB_20120810.BatchWriteItem"

    static func withAPIServer(_ body: (Int) async throws -> Void) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let engine = try await KVEngine(configuration: EngineConfiguration(dataDirectory: nil), logger: logger)
        defer { engine.shutdown() }
        let server = KVHTTPServer(
            configuration: KVHTTPServerConfiguration(host: "127.0.0.1", port: 0),
            router: DynamoDBOperations.router(engine: engine), logger: logger)
        let running = try await server.start()
        do {
            try await body(running.port)
        } catch {
            await running.shutdown()
            throw error
        }
        await running.shutdown()
    }

    static func call(_ port: Int, _ target: String?, _ body: String) async throws -> RawResponse {
        let (responses, _) = try await RawHTTPClient.exchange(port: port, RawHTTPClient.api(target, body: body), expecting: 1)
        return try #require(responses.first)
    }

    @Test func bothPathsGiveTheSameAnswers() async throws {
        try await Self.withAPIServer { port in
            let create = try await Self.call(
                port, "DynamoDB_20120810.CreateTable",
                #"{"TableName":"bench","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]}"#)
            #expect(create.status == 200)
            func batch(_ first: Int, general: Bool, extra: String = "") -> String {
                let puts = (first..<first + 3).map { #"{"PutRequest":{"Item":{"pk":{"S":"k\#($0)"},"n":{"N":"\#($0)"}}}}"# }
                let tail = general ? #","ReturnItemCollectionMetrics":null"# : ""
                return #"{"RequestItems":{"bench":[\#(puts.joined(separator: ","))\#(extra)]},"ReturnConsumedCapacity":"TOTAL"\#(tail)}"#
            }
            let direct = try await Self.call(port, Self.target, batch(0, general: false))
            let general = try await Self.call(port, Self.target, batch(3, general: true))
            #expect(direct.status == 200)
            // Member order follows dictionary order, so compare parsed bodies.
            #expect(try JSONParser.parse(direct.body) == JSONParser.parse(general.body))
            #expect(try JSONParser.parse(direct.body) == JSONParser.parse(#"{"UnprocessedItems":{},"ConsumedCapacity":[{"TableName":"bench","CapacityUnits":3.0}]}"#))
            for n in [0, 5] {
                let got = try await Self.call(port, "DynamoDB_20120810.GetItem", #"{"TableName":"bench","Key":{"pk":{"S":"k\#(n)"}}}"#)
                #expect(try JSONParser.parse(got.body) == JSONParser.parse(#"{"Item":{"pk":{"S":"k\#(n)"},"n":{"N":"\#(n)"}}}"#))
            }
            // The same engine error either way: a duplicate key.
            let duplicate = #",{"DeleteRequest":{"Key":{"pk":{"S":"k6"}}}}"#
            let directError = try await Self.call(port, Self.target, batch(6, general: false, extra: duplicate))
            let generalError = try await Self.call(port, Self.target, batch(6, general: true, extra: duplicate))
            #expect(directError.status == 400)
            #expect(try JSONParser.parse(directError.body) == JSONParser.parse(generalError.body))
            #expect(directError.text.contains("Provided list of item keys contains duplicates"))
        }
    }

    @Test func frontEndChecksKeepTheirOrder() async throws {
        try await Self.withAPIServer { port in
            let ordinary = #"{"RequestItems":{"missing":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}}]}}"#
            // A body the decoder would accept, sent to an unknown target: UnknownOperation.
            let unknown = try await Self.call(port, "DynamoDB_20120810.BatchWriteItems", ordinary)
            #expect(unknown.text.contains("UnknownOperationException"))
            let noTarget = try await Self.call(port, nil, ordinary)
            #expect(noTarget.text.contains("UnknownOperationException"))
            // Not JSON: SerializationException before anything else.
            let broken = try await Self.call(port, Self.target, String(ordinary.dropLast()))
            #expect(broken.text.contains("SerializationException"))
            // Then the engine: the table does not exist.
            let missing = try await Self.call(port, Self.target, ordinary)
            #expect(missing.text.contains("ResourceNotFoundException"))
        }
    }
}

import Testing

@testable import KVServer
@testable import KVStore

/// `PutItemBodyDecoder` must read every body it accepts exactly as the general path
/// (`JSONParser` then `PutItemOperation.parse`) does, and decline everything else: a declined
/// body takes the general path, which gives its exact error.
@Suite struct PutItemBodyDecoderTests {
    static let payload = String(repeating: "x", count: 160)

    static let accepted: [String] = [
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"},"payload":{"S":"\#(payload)"}}}"#,
        """
         { "ReturnItemCollectionMetrics" : "SIZE" , "ReturnValues" : "ALL_OLD" ,
           "Item" : { "pk" : { "S" : "q1" } , "sk" : { "N" : "-1.50e3" } , "m" : { "M" : { "l" : { "L" : [ { "BOOL" : false } ] } } } } ,
           "ReturnConsumedCapacity" : "INDEXES" , "TableName" : "t_2.x-y" }\t\r

        """,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"ReturnValues":"NONE","ReturnConsumedCapacity":"TOTAL","ReturnItemCollectionMetrics":"NONE"}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"ReturnConsumedCapacity":"NONE"}"#,
        #"{"Table\u004eame":"bench","Item":{"p\u00e9":{"S":"tab\there \"q\" \u00e9 😀"},"b":{"B":"AAEC"},"z":{"NULL":true},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2.5"]},"bs":{"BS":["AQ==","Ag=="]}}}"#,
        // Items the engine refuses (no key, too large) are refused there on both paths.
        #"{"TableName":"bench","Item":{}}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"\#(String(repeating: "y", count: 409_600))"}}}"#,
    ]

    static let declined: [String] = [
        "",
        "{}",
        "[]",
        #"{"TableName":"bench"}"#,
        #"{"Item":{"pk":{"S":"m1"}}}"#,
        #"{"TableName":"","Item":{"pk":{"S":"m1"}}}"#,
        #"{"TableName":"a b","Item":{"pk":{"S":"m1"}}}"#,
        #"{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/bench","Item":{"pk":{"S":"m1"}}}"#,
        #"{"TableName":"bench","TableName":"bench","Item":{"pk":{"S":"m1"}}}"#,
        #"{"TableName":"bench","Item":null}"#,
        #"{"TableName":"bench","Item":[]}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"Item":{"pk":{"S":"m2"}}}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"},"pk":{"S":"m2"}}}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1","N":"1"}}}"#,
        #"{"TableName":"bench","Item":{"pk":{"N":"1x"}}}"#,
        #"{"TableName":"bench","Item":{"pk":{"SS":[]}}}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"ConditionExpression":"attribute_not_exists(pk)"}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"Expected":{"pk":{"Exists":false}}}"#,
        ##"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"ExpressionAttributeNames":{"#p":"pk"}}"##,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"ConditionalOperator":"AND"}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"ExpressionAttributeValues":{":v":{"S":"x"}}}"#,
        // A condition's member name written with an escape: declined where it is reached.
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"\u0043onditionExpression":"attribute_not_exists(pk)"}"#,
        // The text of a condition member inside a value: the general path answers it (the same).
        #"{"TableName":"bench","Item":{"pk":{"S":"Condition"}}}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"ReturnValues":"ALL_NEW"}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"ReturnValues":"all_old"}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"ReturnValues":null}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"ReturnConsumedCapacity":"ALL"}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"ReturnItemCollectionMetrics":"ALL"}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},"Unknown":1}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}}} x"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}},}"#,
        #"{"TableName":"bench","Item":{"pk":{"S":"m1"}}"#,
    ]

    @Test(arguments: accepted)
    func acceptedBodiesReadAsTheGeneralPathReadsThem(_ body: String) throws {
        let bytes = Array(body.utf8)
        let fast = try #require(bytes.withUnsafeBytes { PutItemBodyDecoder.decode($0) })
        let (request, mode) = try PutItemOperation.parse(try JSONParser.parse(bytes))
        #expect(Self.same(fast, PutItemBodyDecoder.Decoded(request: request, mode: mode)))
    }

    @Test(arguments: declined)
    func otherBodiesTakeTheGeneralPath(_ body: String) {
        let bytes = Array(body.utf8)
        #expect(bytes.withUnsafeBytes { PutItemBodyDecoder.decode($0) } == nil)
    }

    /// Every truncation and single-byte corruption of an accepted body either is declined or
    /// reads as the general path reads it; none traps.
    @Test(arguments: [1, 4])
    func corruptedBodiesNeverDisagree(_ which: Int) throws {
        let bytes = Array(Self.accepted[which].utf8)
        var variants: [[UInt8]] = (0..<bytes.count).map { Array(bytes[0..<$0]) }
        for position in 0..<bytes.count {
            for replacement: UInt8 in [0x00, 0x20, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C, 0xFF, 0x61, 0x4E] {
                var corrupted = bytes
                corrupted[position] = replacement
                variants.append(corrupted)
            }
        }
        for variant in variants {
            guard let fast = variant.withUnsafeBytes({ PutItemBodyDecoder.decode($0) }) else { continue }
            let (request, mode) = try PutItemOperation.parse(try JSONParser.parse(variant))
            #expect(Self.same(fast, PutItemBodyDecoder.Decoded(request: request, mode: mode)))
        }
    }

    static func same(_ a: PutItemBodyDecoder.Decoded, _ b: PutItemBodyDecoder.Decoded) -> Bool {
        a.mode == b.mode && a.request.tableName == b.request.tableName && a.request.item == b.request.item
            && a.request.returnValues == b.request.returnValues && a.request.condition == nil && b.request.condition == nil
            && a.request.measuresCapacity == b.request.measuresCapacity && a.request.insertOnly == b.request.insertOnly
            && a.request.returnItemCollectionMetrics == b.request.returnItemCollectionMetrics
    }
}

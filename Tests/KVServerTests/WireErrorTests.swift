import KVStore
import Testing

@testable import KVServer

@Suite("WireError")
struct WireErrorTests {
    @Test(
        "namespace and status per code",
        arguments: [
            (KVError.Code.validation, "com.amazon.coral.validate#ValidationException", 400),
            (.serialization, "com.amazon.coral.service#SerializationException", 400),
            (.unknownOperation, "com.amazon.coral.service#UnknownOperationException", 400),
            (.missingAuthenticationToken, "com.amazon.coral.service#MissingAuthenticationTokenException", 400),
            (.accessDenied, "com.amazon.coral.service#AccessDeniedException", 400),
            (.unrecognizedClient, "com.amazon.coral.service#UnrecognizedClientException", 400),
            (.invalidSignature, "com.amazon.coral.service#InvalidSignatureException", 400),
            (.throttling, "com.amazon.coral.availability#ThrottlingException", 400),
            (.resourceNotFound, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", 400),
            (.resourceInUse, "com.amazonaws.dynamodb.v20120810#ResourceInUseException", 400),
            (.conditionalCheckFailed, "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", 400),
            (.transactionCanceled, "com.amazonaws.dynamodb.v20120810#TransactionCanceledException", 400),
            (.transactionConflict, "com.amazonaws.dynamodb.v20120810#TransactionConflictException", 400),
            (.limitExceeded, "com.amazonaws.dynamodb.v20120810#LimitExceededException", 400),
            (
                .provisionedThroughputExceeded,
                "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", 400
            ),
            (.expiredIterator, "com.amazonaws.dynamodb.v20120810#ExpiredIteratorException", 400),
            (.trimmedDataAccess, "com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException", 400),
            (.internalServerError, "com.amazonaws.dynamodb.v20120810#InternalServerError", 500),
            (.requestEntityTooLarge, "com.amazon.coral.service#RequestEntityTooLarge", 413),
        ])
    func mapping(_ code: KVError.Code, _ type: String, _ status: Int) {
        let wire = WireError(KVError(code, "text"))
        #expect(wire.type == type)
        #expect(wire.status == status)
        #expect(wire.message == "text")
        #expect(wire.name == code.rawValue[...])
    }

    @Test func bodies() throws {
        let validation = WireError(.validation("1 validation error detected: \"x\""))
        #expect(
            String(decoding: validation.encodedBody(), as: UTF8.self)
                == #"{"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected: \"x\""}"#
        )
        #expect(
            String(decoding: WireError.missingAuthenticationToken.encodedBody(), as: UTF8.self)
                == #"{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Request is missing Authentication Token"}"#
        )
        #expect(
            String(decoding: WireError.malformedBody.encodedBody(), as: UTF8.self)
                == #"{"__type":"com.amazon.coral.service#SerializationException"}"#)
        // Type errors found while deserialising carry "Message", capitalised, as DynamoDB sends them.
        let typeError = WireError(.serialization("Unexpected value type in payload"))
        #expect(try JSONParser.parse(typeError.encodedBody()) == .object([
            "__type": .string("com.amazon.coral.service#SerializationException"),
            "Message": .string("Unexpected value type in payload"),
        ]))
        #expect(WireError.internalServerError().status == 500)
    }

    @Test func itemTravelsInDynamoDBJSON() throws {
        let error = KVError(.conditionalCheckFailed, "The conditional request failed", item: ["pk": .string("a")])
        let wire = WireError(error)
        #expect(try JSONParser.parse(wire.encodedBody()) == .object([
            "__type": .string("com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"),
            "message": .string("The conditional request failed"),
            "Item": .object(["pk": .object(["S": .string("a")])]),
        ]))
        #expect(WireError(KVError(.conditionalCheckFailed, "The conditional request failed")).extraMembers.isEmpty)
    }

    @Test func requestIDShape() {
        let id = RequestID.make()
        #expect(id.utf8.count == 52)
        #expect(id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) })
        #expect(RequestID.make() != id)
        // Each base-36 digit is the character the alphabet has at its place.
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        #expect((0..<36).map { RequestID.digit(UInt8($0)) } == alphabet)
    }

    /// Written a pair of digits at a time, an id is the one the digits one by one give.
    @Test func requestIDPairsReadAsDigits() {
        struct Counting: RandomNumberGenerator {
            var state: UInt64
            mutating func next() -> UInt64 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return state ^ (state >> 29)
            }
        }
        for seed: UInt64 in [0, 1, 42, .max, 0x1234_5678_9ABC_DEF0] {
            var generator = Counting(state: seed)
            let id = RequestID.make(using: &generator)
            var reference = Counting(state: seed)
            var expected: [UInt8] = []
            while expected.count < RequestID.length {
                var word = reference.next()
                for _ in 0..<12 where expected.count < RequestID.length {
                    expected.append(RequestID.digit(UInt8(word % 36)))
                    word /= 36
                }
            }
            #expect(Array(id.utf8) == expected)
        }
    }

    @Test func routerFilesBareNamesUnderTheirService() async throws {
        let echo: OperationHandler = { input, _ in input }
        let router = Router(operations: [
            "GetItem": echo, "GetRecords": echo, "DynamoDB_20120810.Custom": echo,
        ])
        #expect(router.targets == [
            "DynamoDBStreams_20120810.GetRecords", "DynamoDB_20120810.Custom", "DynamoDB_20120810.GetItem",
        ])
        #expect(router.handler(forTarget: "DynamoDB_20120810.GetRecords") == nil)
        #expect(router.handler(forTarget: "dynamodb_20120810.GetItem") == nil)
        var other = Router()
        other.register(["ListStreams": echo], prefix: Router.streamsTargetPrefix)
        #expect(other.handler(forTarget: "DynamoDBStreams_20120810.ListStreams") != nil)
    }
}

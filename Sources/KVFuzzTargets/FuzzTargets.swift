import Dispatch
import KVServer
import KVStore
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// The bodies of the coverage-guided fuzz targets (`Fuzz/`, run by `Scripts/fuzz.sh`), kept in
/// the main package so that the regression corpus runs as ordinary tests
/// (`FuzzRegressionTests`) through exactly the code the fuzzer ran.
///
/// Each target takes arbitrary bytes and must never trap: bad input is an error answer, never a
/// crash. A target also checks what must hold for any input (a 4xx, never a 500; JSON written
/// back parses to the same value; an item survives the storage codec) and traps when it does
/// not, which the fuzzer then reports as a crash.
public enum FuzzTargets {
    /// Target names, as `Scripts/fuzz.sh` and the corpus folders spell them.
    public static let names = ["json", "requests", "expressions", "itemcodec"]

    /// Runs one input through the named target.
    public static func run(_ target: String, _ bytes: [UInt8]) {
        switch target {
        case "json": json(bytes)
        case "requests": requests(bytes)
        case "expressions": expressions(bytes)
        case "itemcodec": itemCodec(bytes)
        default: preconditionFailure("unknown fuzz target \(target)")
        }
    }

    /// The JSON parser; a parsed document written back parses to the same value.
    public static func json(_ bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes) else { return }
        var written: [UInt8] = []
        JSONWriter.write(value, into: &written)
        guard let again = try? JSONParser.parse(written) else {
            preconditionFailure("JSONWriter wrote what JSONParser rejects")
        }
        precondition(again == value, "JSON round trip changed the document")
    }

    /// A request: the `X-Amz-Target` value, a newline, then the body (an input without a newline
    /// goes to the operation its first byte picks). It runs through the whole front end and the
    /// engine (an in-memory database with a table `t`, key `pk` S and `sk` N, with a stream).
    /// Every answer must be a 200 or a client error; a 500 is a bug.
    public static func requests(_ bytes: [UInt8]) {
        let harness = RequestHarness.shared
        let target: String
        let body: [UInt8]
        if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
            target = String(decoding: bytes[..<newline], as: UTF8.self)
            body = Array(bytes[(newline + 1)...])
        } else if let selector = bytes.first {
            target = harness.targets[Int(selector) % harness.targets.count]
            body = Array(bytes.dropFirst())
        } else {
            return
        }
        let status = harness.blockingProcess(target: target, body: body)
        precondition(status < 500, "\(target) answered \(status)")
    }

    /// The expression parsers: the first byte picks condition, filter, key condition, update or
    /// projection; the rest is the expression text, with a fixed set of names and values.
    public static func expressions(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
        var attributes = ExpressionAttributes(
            names: ["#a": "a", "#b": "b", "#n": "name"],
            values: [
                ":s": .string("x"), ":n": .number(Number(1)), ":l": .list([.string("a")]),
                ":m": .map(["k": .bool(true)]), ":b": .binary([1, 2]),
            ])
        switch selector % 5 {
        case 0: _ = try? ConditionExpression.parse(text, kind: .condition, attributes: &attributes)
        case 1: _ = try? ConditionExpression.parse(text, kind: .filter, attributes: &attributes)
        case 2: _ = try? KeyCondition.parse(text, attributes: &attributes, partitionKey: "a", sortKey: "b")
        case 3: _ = try? UpdateExpression.parse(text, attributes: &attributes)
        default: _ = try? ProjectionExpression.parse(text, attributes: &attributes)
        }
    }

    /// The storage codec. Odd first byte: the rest is stored bytes, which decode or fail cleanly
    /// (a damaged file must not crash the server). Even: the rest is a JSON item in DynamoDB
    /// JSON, which must come back from encode and decode unchanged.
    public static func itemCodec(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        if selector & 1 == 1 {
            _ = try? ItemCodec.decode(rest)
            return
        }
        guard case .object(let fields)? = try? JSONParser.parse(rest),
            let item = try? AttributeValueWire.decodeItem(fields)
        else { return }
        let encoded = ItemCodec.encode(item)
        guard let decoded = try? ItemCodec.decode(encoded) else {
            preconditionFailure("ItemCodec cannot decode what it encoded")
        }
        precondition(decoded == item, "ItemCodec round trip changed the item")
    }
}

/// One in-memory engine and front end, made on first use and kept for the whole fuzzing run.
final class RequestHarness: Sendable {
    static let shared = RequestHarness()

    let processor: APIRequestProcessor
    let engine: KVEngine
    let targets: [String]

    private init() {
        let box = ResultBox<KVEngine>()
        let semaphore = DispatchSemaphore(value: 0)
        Task {
            box.set(try? await RequestHarness.makeEngine())
            semaphore.signal()
        }
        semaphore.wait()
        guard let engine = box.get() else { fatalError("cannot start the in-memory engine") }
        self.engine = engine
        let router = DynamoDBOperations.router(engine: engine)
        processor = APIRequestProcessor(
            router: router, authenticator: AcceptAnyCredentialsAuthenticator(), logger: Logger(label: "fuzz"))
        targets = router.targets
        // A table with a stream for the requests to find (others they create themselves).
        let table = #"{"TableName":"t","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}"#
        _ = blockingProcess(target: Router.dynamoDBTargetPrefix + "CreateTable", body: Array(table.utf8))
    }

    private static func makeEngine() async throws -> KVEngine {
        var logger = Logger(label: "fuzz")
        logger.logLevel = .critical
        return try await KVEngine(configuration: EngineConfiguration(dataDirectory: nil), logger: logger)
    }

    /// Runs one request to the end and returns its HTTP status.
    func blockingProcess(target: String, body: [UInt8]) -> Int {
        var headers = HTTPHeaders()
        headers.add(name: "X-Amz-Target", value: target)
        headers.add(name: "Content-Type", value: APIRequestProcessor.amzJSON10)
        headers.add(
            name: "Authorization",
            value: "AWS4-HMAC-SHA256 Credential=fuzz/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00")
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/", headers: headers)
        let buffer = ByteBuffer(bytes: body)
        let box = ResultBox<Int>()
        let semaphore = DispatchSemaphore(value: 0)
        let processor = self.processor
        Task {
            let response = await processor.process(head: head, body: buffer, localAddress: "fuzz", requestID: "fuzz")
            box.set(response.status)
            semaphore.signal()
        }
        semaphore.wait()
        return box.get() ?? 0
    }
}

/// A value handed from a task to the thread waiting for it.
final class ResultBox<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)

    func set(_ newValue: Value?) { value.withLock { $0 = newValue } }
    func get() -> Value? { value.withLock { $0 } }
}

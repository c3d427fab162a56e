public import KVStore

/// Watches each request the API handler answers and feeds the metrics and the access log.
/// Made once per server; `APIChannelHandler` calls `started` when a request is complete and
/// `finished` when its answer is written.
public final class RequestObserver: Sendable {
    public let metrics: ServerMetrics?
    public let accessLog: AccessLog?
    let clock: @Sendable () -> Double

    public init(metrics: ServerMetrics?, accessLog: AccessLog?, clock: @escaping @Sendable () -> Double = WallClock.now) {
        self.metrics = metrics
        self.accessLog = accessLog
        self.clock = clock
    }

    /// A request between `started` and `finished`.
    struct Request {
        var started: ContinuousClock.Instant
        var requestBytes: Int
        /// The `X-Amz-Target` of a known operation.
        var target: String?
        var table = ""
        var usage: RequestUsage?
        /// The call's context, for its access key (a stream consumer's metric label), read only
        /// for a stream read.
        var context: RequestContext?
        /// The injected fault's label (`error:InternalServerError`, `latency:200ms`, `drop:afterCommit`).
        var fault: String?
    }

    /// The request as received: starts its clock. For a call, gives it a `RequestUsage` to fill.
    /// An answer decided before any handler (a bad signature, an unreadable body) counts for its
    /// operation when the target names one the router knows: CloudWatch's UserErrors include
    /// "an incorrect request signature".
    func started(
        _ decision: inout APIRequestProcessor.Decision, target: @autoclosure () -> String?, router: Router,
        requestBytes: Int
    ) -> Request {
        var request = Request(started: .now, requestBytes: requestBytes)
        guard case .call(var call) = decision else {
            if let target = target(), router.route(forTarget: target) != nil {
                request.target = target
            }
            return request
        }
        guard call.rest == nil else { return request }
        request.target = call.target
        request.table = call.tableName.map(Self.plainTableName) ?? Self.tableName(call.input)
        request.context = call.context
        request.fault = call.context.injectedFault
        let usage = RequestUsage()
        call.context.usage = usage
        request.usage = usage
        decision = .call(call)
        return request
    }

    /// The answer is written: records it.
    func finished(_ request: Request, response: APIResponse, requestID: String) {
        let elapsed = ContinuousClock.now - request.started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let errorType = response.status == 200 ? nil : Self.errorType(response.body)
        let usage = request.usage?.snapshot
        // A table name from a request that failed validation or named no existing table
        // stays out of the labels (it may be anything a client sent).
        let tableKnown = response.status == 200 || Self.impliesRealTable(errorType)
        let table = tableKnown ? request.table : ""
        if let metrics, let target = request.target {
            metrics.record(
                ServerMetrics.Outcome(
                    target: target, table: table, status: response.status, errorType: errorType,
                    transactionConflict: errorType == "TransactionCanceledException"
                        && Self.contains(response.body, Self.transactionConflictCode),
                    seconds: seconds, responseBytes: response.body.count, usage: usage,
                    consumer: usage?.stream == nil ? nil : request.context?.accessKeyID))
            if let fault = request.fault {
                metrics.recordInjectedFault(
                    operation: APIRequestProcessor.operationName(target), table: table, kind: Self.faultKind(fault))
            }
        }
        if let accessLog {
            accessLog.record(
                AccessLogEntry(
                    time: clock(), requestID: requestID, operation: request.target.map(APIRequestProcessor.operationName),
                    table: request.table,
                    status: response.status, errorType: errorType, latencySeconds: seconds,
                    consumedCapacity: usage?.capacity.reduce(0) { $0 + $1.total } ?? 0,
                    bytesIn: request.requestBytes, bytesOut: response.body.count, fault: request.fault))
        }
    }

    /// A fault's metric label: its label, but `latency` without the duration (one series per
    /// kind, not per configured value).
    static func faultKind(_ label: String) -> String {
        label.hasPrefix("latency") ? "latency" : label
    }

    /// Errors that are only given for a table that exists.
    static func impliesRealTable(_ errorType: String?) -> Bool {
        guard let errorType else { return true }
        return ErrorKind.throttlingTypes.contains(errorType) || errorType == "ConditionalCheckFailedException"
            || errorType == "TransactionConflictException" || errorType == "TransactionCanceledException"
            || errorType == "ItemCollectionSizeLimitExceededException"
    }

    /// `TableName` of a request body (a table name or ARN), or "".
    static func tableName(_ input: JSONValue) -> String {
        guard case .object(let fields) = input, case .string(let name)? = WireObject.field("TableName", in: fields)
        else { return "" }
        return plainTableName(name)
    }

    /// The table a `TableName` value names (a table name or ARN).
    static func plainTableName(_ name: String) -> String {
        // arn:aws:dynamodb:region:account:table/Name
        if name.hasPrefix("arn:") {
            let parts = name.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
            if parts.count >= 2, parts[0].hasSuffix(":table") { return String(parts[1]) }
        }
        return name
    }

    static let typeMarker: [UInt8] = Array("\"__type\":\"".utf8)
    static let transactionConflictCode: [UInt8] = Array("TransactionConflict\"".utf8)

    /// The error type of an error body `{"__type":"com.amazonaws.dynamodb.v20120810#Name",...}`:
    /// the part after `#` (or the whole value when it has none).
    static func errorType(_ body: [UInt8]) -> String? {
        guard let start = index(after: typeMarker, in: body) else { return nil }
        var end = start
        var nameStart = start
        while end < body.count, body[end] != UInt8(ascii: "\"") {
            if body[end] == UInt8(ascii: "#") { nameStart = end + 1 }
            end += 1
        }
        guard end < body.count, nameStart < end else { return nil }
        return String(decoding: body[nameStart..<end], as: UTF8.self)
    }

    static func contains(_ body: [UInt8], _ marker: [UInt8]) -> Bool {
        index(after: marker, in: body) != nil
    }

    private static func index(after marker: [UInt8], in body: [UInt8]) -> Int? {
        guard !marker.isEmpty, body.count >= marker.count else { return nil }
        var index = 0
        while index + marker.count <= body.count {
            var matched = 0
            while matched < marker.count, body[index + matched] == marker[matched] { matched += 1 }
            if matched == marker.count { return index + marker.count }
            index += 1
        }
        return nil
    }
}

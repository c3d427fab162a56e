/// The access log's queue (`--access-log`), written by `AccessLogWriter` off the request path.
public typealias AccessLog = JSONLineLog<AccessLogEntry>
/// Writes the access log; reopened on SIGHUP.
public typealias AccessLogWriter = JSONLineWriter<AccessLogEntry>

/// One answered request in the access log. What a request carried (item values, keys,
/// expressions) never appears: only its operation, table, outcome, sizes and timing.
public struct AccessLogEntry: JSONLineRecord {
    /// Seconds since 1970 when the answer was written.
    public var time: Double
    public var requestID: String
    /// The operation (`PutItem`); nil for a request that named none (health check, bad target).
    public var operation: String?
    public var table: String
    public var status: Int
    public var errorType: String?
    public var latencySeconds: Double
    /// Capacity units the request consumed (all tables and indexes), as `ConsumedCapacity` counts.
    public var consumedCapacity: Double
    public var bytesIn: Int
    public var bytesOut: Int
    /// Set by the fault injector when it acted on this request (the fault's kind).
    public var fault: String?

    public static var logName: String { "access_log" }
    public static var logDescription: String { "access log" }

    public init(
        time: Double, requestID: String, operation: String?, table: String, status: Int, errorType: String?,
        latencySeconds: Double, consumedCapacity: Double, bytesIn: Int, bytesOut: Int, fault: String? = nil
    ) {
        self.time = time
        self.requestID = requestID
        self.operation = operation
        self.table = table
        self.status = status
        self.errorType = errorType
        self.latencySeconds = latencySeconds
        self.consumedCapacity = consumedCapacity
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.fault = fault
    }

    /// `{"time":"2026-12-06T18:00:00.123Z","requestId":...,"operation":...,"table":...,"status":200,
    /// "errorType":null,"latencyMs":0.412,"consumedCapacity":1.0,"bytesIn":120,"bytesOut":2}` and
    /// `"fault"` when one was injected.
    public func jsonLine() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        func key(_ name: String) {
            out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: "\":".utf8)
        }
        func string(_ value: String?) {
            if let value { JSONWriter.write(.string(value), into: &out) } else { out.append(contentsOf: "null".utf8) }
        }
        let seconds = time.isFinite ? time : 0
        let whole = Int64(seconds.rounded(.down))
        let millis = min(999, max(0, Int((seconds - Double(whole)) * 1000)))
        var stamp = UTCTimestamp.extended(whole)
        if stamp.hasSuffix("Z") {
            stamp.removeLast()
            stamp += "." + String(String(millis + 1000).dropFirst()) + "Z"
        }
        key("time"); string(stamp)
        key("requestId"); string(requestID)
        key("operation"); string(operation)
        key("table"); string(table.isEmpty ? nil : table)
        key("status"); out.append(contentsOf: String(status).utf8)
        key("errorType"); string(errorType)
        key("latencyMs"); out.append(contentsOf: Self.number(latencySeconds * 1000).utf8)
        key("consumedCapacity"); out.append(contentsOf: Self.number(consumedCapacity).utf8)
        key("bytesIn"); out.append(contentsOf: String(bytesIn).utf8)
        key("bytesOut"); out.append(contentsOf: String(bytesOut).utf8)
        if let fault { key("fault"); string(fault) }
        out.append(contentsOf: "}\n".utf8)
        return out
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? String(value) : "0"
    }
}

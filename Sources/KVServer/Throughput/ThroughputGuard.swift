import KVStore

/// Puts the data-plane operations of a router under a `ThroughputLimiter`: each wrapped handler
/// asks the limiter before it runs (a throttled request never runs, so no write happens) and
/// pays after it the capacity the engine computed, read from the response's `ConsumedCapacity`
/// (the request is run with `ReturnConsumedCapacity=INDEXES`, and the answer is cut back to what
/// the client asked for). Only installed with `--enforce-throughput`: without it nothing changes.
///
/// A conditional write that fails still costs DynamoDB's minimum write (one unit), as DynamoDB
/// charges it. PartiQL operations are not limited.
public struct ThroughputGuard: Sendable {
    let limiter: ThroughputLimiter

    /// The operations limited and the capacity they spend.
    static let operations: [String: CapacityKind] = [
        "GetItem": .read, "Query": .read, "Scan": .read, "BatchGetItem": .read, "TransactGetItems": .read,
        "PutItem": .write, "UpdateItem": .write, "DeleteItem": .write, "BatchWriteItem": .write,
        "TransactWriteItems": .write,
    ]
    static let modes: Set<String> = ["NONE", "TOTAL", "INDEXES"]

    public init(limiter: ThroughputLimiter) {
        self.limiter = limiter
    }

    /// Wraps every limited operation registered in `router`, and UpdateTable so that new rates
    /// take effect the moment it answers.
    public func install(in router: inout Router) {
        for (operation, kind) in Self.operations {
            router.wrap(target: Router.dynamoDBTargetPrefix + operation) { handler in
                wrap(handler, operation: operation, kind: kind)
            }
        }
        let limiter = self.limiter
        router.wrap(target: Router.dynamoDBTargetPrefix + "UpdateTable") { handler in
            { input, context in
                let output = try await handler(input, context)
                if case .object(let fields) = input, case .string(let name)? = fields["TableName"] {
                    limiter.applyRates(table: ThroughputAccess.plain(name))
                }
                return output
            }
        }
    }

    func wrap(_ handler: @escaping OperationHandler, operation: String, kind: CapacityKind) -> OperationHandler {
        let limiter = self.limiter
        return { input, context in
            guard case .object(var fields) = input else { return try await handler(input, context) }
            // A batch leaves the requests of throttled tables unprocessed and runs the rest; it
            // fails only when every table is throttled (as DynamoDB answers a batch).
            let isBatch = operation == "BatchGetItem" || operation == "BatchWriteItem"
            var unprocessed: [String: JSONValue] = [:]
            var throttle: WireError?
            for access in ThroughputAccess.of(operation: operation, fields) {
                do throws(WireError) {
                    try limiter.admit(
                        table: access.table, index: access.index, kind: kind, region: context.region, touches: access.touches)
                } catch {
                    guard isBatch, case .object(var tables)? = fields["RequestItems"] else { throw error }
                    unprocessed[access.key] = tables.removeValue(forKey: access.key)
                    fields["RequestItems"] = .object(tables)
                    throttle = error
                }
            }
            if let throttle, case .object(let tables)? = fields["RequestItems"], tables.isEmpty { throw throttle }
            let asked: String?
            switch fields["ReturnConsumedCapacity"] {
            case nil: asked = nil
            case .string(let mode) where Self.modes.contains(mode): asked = mode
            default: return try await handler(input, context)  // the handler rejects it
            }
            fields["ReturnConsumedCapacity"] = .string("INDEXES")
            let output: JSONValue
            do {
                output = try await handler(.object(fields), context)
            } catch let error as KVError where error.code == .conditionalCheckFailed {
                if kind == .write, let table = ThroughputAccess.of(operation: operation, fields).first?.table {
                    limiter.debit(table: table, kind: .write, table: CapacityUnits.write(bytes: 0), globalIndexes: [:])
                }
                throw error
            }
            let settled = Self.settle(output, kind: kind, asked: asked, limiter: limiter)
            guard !unprocessed.isEmpty else { return settled }
            return Self.addUnprocessed(unprocessed, to: settled, member: operation == "BatchGetItem" ? "UnprocessedKeys" : "UnprocessedItems")
        }
    }

    /// Adds the throttled tables' requests to a batch answer's `UnprocessedItems` / `UnprocessedKeys`.
    static func addUnprocessed(_ requests: [String: JSONValue], to output: JSONValue, member: String) -> JSONValue {
        guard case .object(var fields) = output else { return output }
        var pending: [String: JSONValue] = [:]
        if case .object(let existing)? = fields[member] { pending = existing }
        for (table, request) in requests { pending[table] = request }
        fields[member] = .object(pending)
        return .object(fields)
    }

    /// Debits the response's `ConsumedCapacity` and reshapes it to the mode the client asked for.
    static func settle(_ output: JSONValue, kind: CapacityKind, asked: String?, limiter: ThroughputLimiter) -> JSONValue {
        guard case .object(var fields) = output, let consumed = fields["ConsumedCapacity"] else { return output }
        let entries: [JSONValue]
        switch consumed {
        case .array(let list): entries = list
        case .object: entries = [consumed]
        default: entries = []
        }
        for case .object(let entry) in entries {
            guard case .string(let table)? = entry["TableName"] else { continue }
            var tableUnits = units(entry["Table"])
            for (_, value) in members(entry["LocalSecondaryIndexes"]) { tableUnits += units(value) }
            var global: [String: Double] = [:]
            for (name, value) in members(entry["GlobalSecondaryIndexes"]) { global[name] = units(value) }
            limiter.debit(table: table, kind: kind, table: tableUnits, globalIndexes: global)
        }
        switch asked {
        case "INDEXES":
            return output
        case "TOTAL":
            let total = entries.map { entry -> JSONValue in
                guard case .object(let members) = entry else { return entry }
                return .object(members.filter { $0.key == "TableName" || $0.key == "CapacityUnits" })
            }
            if case .array = consumed { fields["ConsumedCapacity"] = .array(total) } else { fields["ConsumedCapacity"] = total.first }
        default:
            fields["ConsumedCapacity"] = nil
        }
        return .object(fields)
    }

    private static func units(_ value: JSONValue?) -> Double {
        guard case .object(let fields)? = value, case .number(let text)? = fields["CapacityUnits"] else { return 0 }
        return Double(text) ?? 0
    }

    private static func members(_ value: JSONValue?) -> [String: JSONValue] {
        guard case .object(let fields)? = value else { return [:] }
        return fields
    }
}

/// One table (or index) a request reads or writes, from its body, before it runs.
struct ThroughputAccess {
    var table: String
    /// The name as the request gives it (a name or an ARN), the key of `RequestItems`.
    var key: String
    var index: String?
    /// Whether a write may update this global secondary index (see `of`).
    var touches: (IndexDefinition) -> Bool = { _ in true }

    /// The tables a request names. A PutItem (or a batch of puts) updates a global secondary index
    /// only when its item carries the index's key attributes; any other write is taken to update
    /// every index (whether it does is known only once the old item is read).
    static func of(operation: String, _ fields: [String: JSONValue]) -> [ThroughputAccess] {
        switch operation {
        case "BatchGetItem", "BatchWriteItem":
            guard case .object(let tables)? = fields["RequestItems"] else { return [] }
            return tables.map { name, requests in
                var access = ThroughputAccess(table: plain(name), key: name)
                if operation == "BatchWriteItem", case .array(let list) = requests {
                    let items: [[String: JSONValue]] = list.compactMap { request in
                        guard case .object(let request) = request, case .object(let put)? = request["PutRequest"],
                            case .object(let item)? = put["Item"], request["DeleteRequest"] == nil
                        else { return nil }
                        return item
                    }
                    if items.count == list.count {
                        access.touches = { index in items.contains { carries($0, index) } }
                    }
                }
                return access
            }
        case "TransactGetItems", "TransactWriteItems":
            guard case .array(let actions)? = fields["TransactItems"] else { return [] }
            var seen: [String] = []
            for case .object(let action) in actions {
                for case .object(let body) in action.values {
                    if case .string(let name)? = body["TableName"], !seen.contains(plain(name)) { seen.append(plain(name)) }
                }
            }
            return seen.map { ThroughputAccess(table: $0, key: $0) }
        default:
            guard case .string(let name)? = fields["TableName"] else { return [] }
            var access = ThroughputAccess(table: plain(name), key: name)
            if case .string(let index)? = fields["IndexName"] { access.index = index }
            if operation == "PutItem", case .object(let item)? = fields["Item"] {
                access.touches = { index in carries(item, index) }
            }
            return [access]
        }
    }

    /// Whether `item` holds every key attribute of `index` (so it has an entry there).
    static func carries(_ item: [String: JSONValue], _ index: IndexDefinition) -> Bool {
        index.keySchema.attributeNames.allSatisfy { item[$0] != nil }
    }

    static func plain(_ name: String) -> String {
        TableName.nameInARN(name) ?? name
    }
}

import Synchronization

/// Allow decisions remembered for one identity whose policies read nothing of the request but
/// its action and resource (no condition, no policy variable): for those, whether
/// `dynamodb:GetItem` on a table is allowed cannot change until the auth file does, and the
/// identity (so this cache) is rebuilt with it. Mapping the request to its ARN and evaluating
/// every statement was most of authorization's cost per request
/// (Scripts/bench/callgrind_auth.py); a hit is one lookup of strings the request already has.
///
/// Only single-table item, query and scan operations are remembered (their one check is
/// `dynamodb:<Operation>` on the table or index ARN, a function of the key below); only
/// allows are remembered (a denial is answered by the full evaluation, with its text). Bounded:
/// past `capacity` keys it starts over.
final class IAMAllowCache: Sendable {
    struct Key: Hashable {
        var operation: String
        /// The credential scope's region: table ARNs are in it.
        var region: String
        /// `TableName` as sent (a name or an ARN) and `IndexName`, when given.
        var table: String
        var index: String?
    }

    private let allowed = Mutex<Set<Key>>([])
    /// The keys found last (a client repeats a few operations on a few tables), compared
    /// before the set is hashed into: comparing the request's short strings with equal ones
    /// costs less than hashing them.
    private let recent = Mutex<(keys: [Key], next: Int)>(([], 0))
    private static let recentCount = 4
    /// The target (`X-Amz-Target` as received), region and table of the last body decoded from
    /// its bytes whose key was found allowed (`containsDecoded`): the target names the
    /// operation and the API, so these three name the key.
    private let lastDecoded = Mutex<(target: String, region: String, table: String)?>(nil)
    private let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The cache for `policies`, or nil when a decision may depend on more than the resource.
    static func forPolicies(_ policies: [IAMPolicy]) -> IAMAllowCache? {
        policies.contains { $0.usesRequestContext || $0.mentionsDynamoDBKeys } ? nil : IAMAllowCache()
    }

    /// The key of a request whose one check is its own action on its table or index; nil for
    /// every other request.
    static func key(for input: AuthorizationInput) -> Key? {
        key(
            service: input.service, operation: input.operation, isStreamsAPI: input.isStreamsAPI,
            request: input.request, decodedTableName: input.decodedTableName, region: input.region)
    }

    /// The same from the input's parts (the server asks before building the input). A body
    /// decoded straight from its bytes (`request` is `.null`) is keyed by the `TableName` its
    /// decoder read, for the item operations only: their one check is their action on that
    /// table, and a decoder reads no `IndexName`.
    static func key(
        service: String, operation: String, isStreamsAPI: Bool, request: JSONValue, decodedTableName: String?,
        region: String
    ) -> Key? {
        guard service == "dynamodb", !isStreamsAPI else { return nil }
        guard case .object(let fields) = request else {
            guard case .null = request, let table = decodedTableName, Self.isItemOperation(operation) else {
                return nil
            }
            return Key(operation: operation, region: region, table: table, index: nil)
        }
        guard case .string(let table)? = WireObject.field("TableName", in: fields) else { return nil }
        if Self.isItemOperation(operation) {
            return Key(operation: operation, region: region, table: table, index: nil)
        }
        switch operation {
        case "Query", "Scan":
            var index: String?
            switch WireObject.field("IndexName", in: fields) {
            case nil: index = nil
            case .string(let name)?: index = name
            default: return nil
            }
            return Key(operation: operation, region: region, table: table, index: index)
        default:
            return nil
        }
    }

    /// The operations whose one check is their action on their table. A switch over the
    /// literals compares the short name; a `Set` would hash it on every verified request.
    private static func isItemOperation(_ operation: String) -> Bool {
        switch operation {
        case "GetItem", "PutItem", "UpdateItem", "DeleteItem": true
        default: false
        }
    }

    func contains(_ key: Key) -> Bool {
        if recent.withLock({ $0.keys.contains(key) }) { return true }
        guard allowed.withLock({ $0.contains(key) }) else { return false }
        remember(key)
        return true
    }

    /// Whether the key of a decoded body with this target, region and table was found allowed
    /// last (`rememberDecoded`). Compared under the lock: copying the strings out cost more.
    func containsDecoded(target: String, region: String, table: String) -> Bool {
        lastDecoded.withLock { last in
            guard let last else { return false }
            return last.table == table && last.region == region && last.target == target
        }
    }

    /// Remembers a decoded body's target, region and table, whose key `contains` found.
    func rememberDecoded(target: String, region: String, table: String) {
        lastDecoded.withLock { $0 = (target, region, table) }
    }

    private func remember(_ key: Key) {
        recent.withLock { recent in
            if recent.keys.count < Self.recentCount {
                recent.keys.append(key)
            } else {
                recent.keys[recent.next] = key
                recent.next = (recent.next + 1) % Self.recentCount
            }
        }
    }

    func insert(_ key: Key) {
        let capacity = self.capacity
        allowed.withLock { allowed in
            if allowed.count >= capacity { allowed.removeAll(keepingCapacity: true) }
            allowed.insert(key)
        }
        remember(key)
    }
}

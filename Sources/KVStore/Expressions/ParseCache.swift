import Synchronization

/// Parse results by expression text, shared by all requests.
///
/// Parsing is pure (it depends only on the text), so its result, including a syntax error, is
/// reused; resolution of names and values stays per request. The dictionary is cleared when it
/// outgrows `capacity`, which bounds memory under a flood of distinct expressions.
final class ParseCache: Sendable {
    static let shared = ParseCache(capacity: 4096)

    private enum Entry: Sendable {
        case condition(ConditionNode, Diagnostics)
        case update([UpdateAction], Diagnostics)
        case projection([DocumentPath], Diagnostics)
        case failure(KVError)
    }

    private struct Key: Hashable, Sendable {
        var kind: UInt8
        var text: String
    }

    private let entries = Mutex<[Key: Entry]>([:])
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    private func lookup(_ key: Key) -> Entry? { entries.withLock { $0[key] } }

    private func store(_ key: Key, _ entry: Entry) {
        entries.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[key] = entry
        }
    }

    var count: Int { entries.withLock { $0.count } }

    private static func code(_ kind: ConditionKind) -> UInt8 {
        switch kind {
        case .condition: 0
        case .filter: 1
        case .keyCondition: 2
        }
    }

    func condition(_ text: String, kind: ConditionKind) throws(KVError) -> (ConditionNode, Diagnostics) {
        let key = Key(kind: Self.code(kind), text: text)
        switch lookup(key) {
        case .condition(let node, let diagnostics)?: return (node, diagnostics)
        case .failure(let error)?: throw error
        default: break
        }
        do {
            let (node, diagnostics) = try ConditionParser.parse(text, prefix: kind.prefix)
            store(key, .condition(node, diagnostics))
            return (node, diagnostics)
        } catch {
            store(key, .failure(error))
            throw error
        }
    }

    func update(_ text: String) throws(KVError) -> ([UpdateAction], Diagnostics) {
        let key = Key(kind: 3, text: text)
        switch lookup(key) {
        case .update(let actions, let diagnostics)?: return (actions, diagnostics)
        case .failure(let error)?: throw error
        default: break
        }
        do {
            let (actions, diagnostics) = try UpdateParser.parse(text)
            store(key, .update(actions, diagnostics))
            return (actions, diagnostics)
        } catch {
            store(key, .failure(error))
            throw error
        }
    }

    func projection(_ text: String) throws(KVError) -> ([DocumentPath], Diagnostics) {
        let key = Key(kind: 4, text: text)
        switch lookup(key) {
        case .projection(let paths, let diagnostics)?: return (paths, diagnostics)
        case .failure(let error)?: throw error
        default: break
        }
        do {
            let (paths, diagnostics) = try ProjectionParser.parse(text)
            store(key, .projection(paths, diagnostics))
            return (paths, diagnostics)
        } catch {
            store(key, .failure(error))
            throw error
        }
    }
}

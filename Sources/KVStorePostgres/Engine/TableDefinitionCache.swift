#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KVStore
import NIOConcurrencyHelpers

/// Decoded catalog definitions by their stored JSON text: every item write reads its table's
/// catalog row (`PostgresExternalTransaction.currentDefinition`), and decoding the JSON each
/// time would cost more than the read. Bounded: it starts over past `limit` texts (each
/// UpdateTable makes a new one).
final class TableDefinitionCache: Sendable {
    private let definitions = NIOLockedValueBox<[String: TableDefinition]>([:])
    private let limit = 512

    func definition(_ text: String) throws -> TableDefinition {
        if let known = definitions.withLockedValue({ $0[text] }) { return known }
        let definition = try JSONDecoder().decode(TableDefinition.self, from: Data(text.utf8))
        definitions.withLockedValue { cache in
            if cache.count >= limit { cache.removeAll() }
            cache[text] = definition
        }
        return definition
    }
}

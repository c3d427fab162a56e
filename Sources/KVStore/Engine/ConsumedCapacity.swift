/// DynamoDB's capacity unit arithmetic, as pure functions.
///
/// Rules (developer guide, "Read/write capacity mode" and "Managing settings on DynamoDB
/// provisioned capacity tables"; "Capacity unit consumption for transactions"):
/// - a read costs one unit per 4 KB of item size, rounded up (at least one block, also for
///   an item that does not exist); an eventually consistent read half of that, a
///   transactional read twice;
/// - a write costs one unit per 1 KB of item size, rounded up (at least one block); for
///   PutItem, UpdateItem and DeleteItem the size is the larger of the item before and after;
///   a transactional write costs twice;
/// - each secondary index a write touches costs its own write units, sized by the projected
///   index entry; an update that moves an entry to another index key costs a delete plus a put;
/// - Query and Scan cost the total size read (not per item), rounded up to 4 KB;
/// - BatchGetItem and BatchWriteItem cost each item rounded separately.
public enum CapacityUnits {
    public static let readBlockBytes = 4096
    public static let writeBlockBytes = 1024

    public enum ReadKind: Sendable, Equatable {
        case eventuallyConsistent
        case stronglyConsistent
        case transactional

        public init(consistent: Bool) {
            self = consistent ? .stronglyConsistent : .eventuallyConsistent
        }
    }

    /// Units of reading `bytes` (one item, or the whole page of a Query/Scan).
    public static func read(bytes: Int, _ kind: ReadKind) -> Double {
        let units = Double(max(1, blocks(bytes, of: readBlockBytes)))
        switch kind {
        case .eventuallyConsistent: return units / 2
        case .stronglyConsistent: return units
        case .transactional: return units * 2
        }
    }

    /// Units of writing one item of `bytes` (the larger of its sizes before and after).
    public static func write(bytes: Int, transactional: Bool = false) -> Double {
        let units = Double(max(1, blocks(bytes, of: writeBlockBytes)))
        return transactional ? units * 2 : units
    }

    /// What a write does to one secondary index, by projected entry sizes.
    public enum IndexChange: Sendable, Equatable {
        /// The item is not in the index before or after, or its entry is unchanged.
        case untouched
        case put(Int)
        case delete(Int)
        /// Same index key, different projected attributes.
        case update(old: Int, new: Int)
        /// The index key changed: the old entry is deleted and a new one put.
        case move(old: Int, new: Int)
    }

    /// Write units one index spends on a change (before any transactional doubling).
    public static func indexWrite(_ change: IndexChange) -> Double {
        switch change {
        case .untouched: return 0
        case .put(let size), .delete(let size): return write(bytes: size)
        case .update(let old, let new): return write(bytes: max(old, new))
        case .move(let old, let new): return write(bytes: old) + write(bytes: new)
        }
    }

    /// Whole blocks of `size` needed to hold `bytes`, without overflow.
    static func blocks(_ bytes: Int, of size: Int) -> Int {
        guard bytes > 0 else { return 0 }
        return (bytes - 1) / size + 1
    }
}

/// The capacity one operation consumed on one table and its indexes (`ConsumedCapacity`).
public struct ConsumedCapacity: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case read
        case write
        case transactionalRead
        case transactionalWrite
    }

    public var tableName: String
    public var kind: Kind
    /// Units spent on the table itself.
    public var table: Double
    public var globalIndexes: [String: Double]
    public var localIndexes: [String: Double]

    public init(
        tableName: String, kind: Kind, table: Double, globalIndexes: [String: Double] = [:],
        localIndexes: [String: Double] = [:]
    ) {
        self.tableName = tableName
        self.kind = kind
        self.table = table
        self.globalIndexes = globalIndexes
        self.localIndexes = localIndexes
    }

    /// `CapacityUnits`: the table plus every index.
    public var total: Double {
        table + globalIndexes.values.reduce(0, +) + localIndexes.values.reduce(0, +)
    }

    /// Adds another consumption of the same table.
    public mutating func add(_ other: ConsumedCapacity) {
        table += other.table
        // Most writes touch no index; merging empty dictionaries still costs a generic call each.
        if !other.globalIndexes.isEmpty {
            globalIndexes.merge(other.globalIndexes, uniquingKeysWith: +)
        }
        if !other.localIndexes.isEmpty {
            localIndexes.merge(other.localIndexes, uniquingKeysWith: +)
        }
    }

    /// Every figure multiplied (transactions cost twice).
    public func scaled(by factor: Double, kind: Kind) -> ConsumedCapacity {
        ConsumedCapacity(
            tableName: tableName, kind: kind, table: table * factor,
            globalIndexes: globalIndexes.mapValues { $0 * factor },
            localIndexes: localIndexes.mapValues { $0 * factor })
    }

    /// One entry per table, summed, in the order tables first appear.
    public static func perTable(_ entries: [ConsumedCapacity]) -> [ConsumedCapacity] {
        var result: [ConsumedCapacity] = []
        var position: [String: Int] = [:]
        for entry in entries {
            if let index = position[entry.tableName] {
                result[index].add(entry)
            } else {
                position[entry.tableName] = result.count
                result.append(entry)
            }
        }
        return result
    }
}

/// Index write units of one item write, as `ItemStore.write` reports them.
public struct IndexWriteUnits: Sendable {
    public var global: [String: Double] = [:]
    public var local: [String: Double] = [:]

    public init() {}

    public mutating func record(_ index: IndexDefinition, _ change: CapacityUnits.IndexChange) {
        let units = CapacityUnits.indexWrite(change)
        guard units > 0 else { return }
        if index.isGlobal {
            global[index.name, default: 0] += units
        } else {
            local[index.name, default: 0] += units
        }
    }
}

extension ConsumedCapacity {
    /// A single-item write: the larger of the sizes before and after, plus each index touched.
    static func write(table: String, oldSize: Int?, newSize: Int?, indexes: IndexWriteUnits) -> ConsumedCapacity {
        ConsumedCapacity(
            tableName: table, kind: .write,
            table: CapacityUnits.write(bytes: max(oldSize ?? 0, newSize ?? 0)),
            globalIndexes: indexes.global, localIndexes: indexes.local)
    }

    /// A read of `bytes` from a table or one of its indexes.
    static func read(table: String, index: IndexDefinition?, bytes: Int, _ kind: CapacityUnits.ReadKind) -> ConsumedCapacity {
        let units = CapacityUnits.read(bytes: bytes, kind)
        let consumedKind: Kind = kind == .transactional ? .transactionalRead : .read
        guard let index else { return ConsumedCapacity(tableName: table, kind: consumedKind, table: units) }
        return ConsumedCapacity(
            tableName: table, kind: consumedKind, table: 0,
            globalIndexes: index.isGlobal ? [index.name: units] : [:],
            localIndexes: index.isGlobal ? [:] : [index.name: units])
    }
}

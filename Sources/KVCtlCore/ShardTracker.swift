/// One shard as DescribeStream reports it.
struct ShardInfo: Sendable, Equatable {
    var id: String
    var parentID: String?
    /// A shard with an ending sequence number is closed: once read to its end, its children continue.
    var isClosed: Bool
}

/// Which shards to read, and from where: the pure part of `kvctl stream tail`.
///
/// DynamoDB Streams rule (see "Reading and processing a stream" in the DynamoDB developer
/// guide): process a parent shard before its children so records of one item stay in order.
/// A shard starts once its parent is finished or no longer listed (trimmed).
struct ShardTracker: Sendable {
    enum Start: Sendable, Equatable {
        case trimHorizon
        case latest
    }

    private(set) var known: [String: ShardInfo] = [:]
    private(set) var started: Set<String> = []
    private(set) var finished: Set<String> = []
    private var order: [String] = []
    private var firstDiscovery = true
    let initialStart: Start

    init(initialStart: Start) {
        self.initialStart = initialStart
    }

    /// Records the current shard list; returns the shards to open now and where to start each.
    mutating func update(_ shards: [ShardInfo]) -> [(ShardInfo, Start)] {
        for shard in shards where known[shard.id] == nil {
            known[shard.id] = shard
            order.append(shard.id)
            if firstDiscovery && initialStart == .latest && shard.isClosed {
                // Starting at LATEST: history in closed shards is skipped.
                finished.insert(shard.id)
            }
        }
        for shard in shards { known[shard.id]?.isClosed = shard.isClosed }
        let wasFirst = firstDiscovery
        firstDiscovery = false
        return ready(latestAllowed: wasFirst && initialStart == .latest)
    }

    /// Marks a shard read to its end; returns children that may start now.
    mutating func finish(_ id: String) -> [(ShardInfo, Start)] {
        finished.insert(id)
        return ready(latestAllowed: false)
    }

    private mutating func ready(latestAllowed: Bool) -> [(ShardInfo, Start)] {
        var result: [(ShardInfo, Start)] = []
        for id in order where !started.contains(id) && !finished.contains(id) {
            guard let shard = known[id] else { continue }
            if let parent = shard.parentID, known[parent] != nil, !finished.contains(parent) { continue }
            started.insert(id)
            result.append((shard, latestAllowed ? .latest : .trimHorizon))
        }
        return result
    }
}

import Logging

/// One round of one shard for one mapping: read after the checkpoint, deliver under the
/// mapping's `BatchDelivery` rules, checkpoint as records are acknowledged.
///
/// With `ParallelizationFactor` N > 1, up to N batches are read at once and split by item key
/// into N groups delivered concurrently (each in order, so every item's changes stay in order);
/// the checkpoint moves once every group is done, so a crash redelivers the whole round.
/// See https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-eventsourcemapping.html
struct ShardPoller: Sendable {
    let runner: TriggerRunner
    let mapping: EventSourceMapping
    let streamID: Int64
    let shard: TriggerShard
    let checkpoint: TriggerCheckpoint?

    var engine: KVEngine { runner.engine }
    var windowPrefix: String { "\(mapping.uuid)/\(shard.shard)/" }

    /// True if records were handled (delivered, filtered or discarded).
    func runOneBatch() async throws -> Bool {
        // Records already trimmed away are lost to the mapping, as in DynamoDB after 24 hours.
        let after = max(checkpoint?.afterSequence ?? (shard.startSequence - 1), shard.trimmedSequence)
        let factor = max(1, min(mapping.parallelizationFactor, EventSourceMapping.parallelizationRange.upperBound))
        var records = try await engine.triggerRecords(
            streamID: streamID, shard: shard.shard, after: after, limit: mapping.batchSize * factor)
        let closedWindows = try await closeEndedWindows(before: records.first?.createdSeconds)
        guard !records.isEmpty else {
            if let end = shard.endSequence, after >= end {
                try await save(after: after, finished: true)
            }
            return closedWindows
        }
        // MaximumBatchingWindowInSeconds: wait for a full batch until the oldest record is that old.
        if records.count < mapping.batchSize, mapping.maximumBatchingWindowInSeconds > 0, shard.endSequence == nil,
            let first = records.first,
            engine.currentTime - first.createdSeconds < Double(mapping.maximumBatchingWindowInSeconds)
        {
            return closedWindows
        }
        // A batch never spans two tumbling windows.
        if mapping.tumblingWindowInSeconds > 0, let first = records.first {
            let window = TumblingWindow.containing(first.createdSeconds, length: mapping.tumblingWindowInSeconds)
            records = Array(records.prefix { $0.createdSeconds < window.end })
        }
        if factor == 1 {
            try await deliver(records, partition: 0, checkpointing: true)
            return true
        }
        let groups = Self.partition(records, into: factor)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, members) in groups.enumerated() where !members.isEmpty {
                group.addTask {
                    // A group may hold more than a batch when keys are skewed: send it batch by batch.
                    var start = 0
                    while start < members.count {
                        let end = min(start + mapping.batchSize, members.count)
                        try await deliver(Array(members[start..<end]), partition: index, checkpointing: false)
                        start = end
                    }
                }
            }
            try await group.waitForAll()
        }
        if let last = records.last {
            let finished = shard.endSequence.map { last.sequence >= $0 } ?? false
            try await save(after: last.sequence, finished: finished)
        }
        return true
    }

    /// Splits records by item key into `count` groups, each keeping the records' order.
    static func partition(_ records: [StreamRecord], into count: Int) -> [[StreamRecord]] {
        var groups = [[StreamRecord]](repeating: [], count: count)
        for record in records {
            var hasher = Hasher()
            for name in record.keys.keys.sorted() {
                hasher.combine(name)
                hasher.combine(record.keys[name])
            }
            let index = Int(UInt(bitPattern: hasher.finalize()) % UInt(count))
            groups[index].append(record)
        }
        return groups
    }

    /// Sends the final call of every open window of this shard that has ended (and has no
    /// records left before its end). True if one was sent.
    private func closeEndedWindows(before firstCreated: Double?) async throws -> Bool {
        guard mapping.tumblingWindowInSeconds > 0 else { return false }
        var sent = false
        for key in runner.windowKeys(prefix: windowPrefix) {
            guard var window = runner.window(key), engine.currentTime >= window.end,
                firstCreated.map({ $0 >= window.end }) ?? true
            else { continue }
            guard runner.isCurrent(mapping) else { throw CancellationError() }
            window.isFinal = true
            let answer = await runner.target.invoke(
                TriggerBatch(mapping: mapping, shardID: shard.shardID, records: [], window: window))
            if case .failure(let reason) = answer.outcome {
                runner.logger.warning(
                    "trigger.window_final_call_failed", metadata: ["trigger.uuid": "\(mapping.uuid)", "trigger.reason": "\(reason)"])
            }
            runner.setWindow(key, nil)
            sent = true
        }
        return sent
    }

    /// Delivers records in order under the retry rules; with `checkpointing`, saves the
    /// checkpoint as records are acknowledged.
    private func deliver(_ records: [StreamRecord], partition: Int, checkpointing: Bool) async throws {
        var policy = mapping.retryPolicy
        policy.initialBackoff = runner.retryBase
        var delivery = BatchDelivery(
            records: records.map { PendingRecord(sequence: $0.sequence, created: $0.createdSeconds) }, policy: policy)
        let windowKey = windowPrefix + String(partition)
        while true {
            try Task.checkCancellation()
            switch delivery.next(now: engine.currentTime) {
            case .done:
                return
            case .wait(let until):
                let seconds = max(until - engine.currentTime, 0.001)
                try await Task.sleep(for: .milliseconds(Int((seconds * 1000).rounded(.up))))
            case .invoke(let range):
                // Disabled, changed or deleted since this batch was read: send nothing more.
                guard runner.isCurrent(mapping) else { throw CancellationError() }
                var batch = TriggerBatch(mapping: mapping, shardID: shard.shardID, records: Array(records[range]))
                if mapping.tumblingWindowInSeconds > 0, let first = batch.records.first {
                    var window = TumblingWindow.containing(first.createdSeconds, length: mapping.tumblingWindowInSeconds)
                    if let open = runner.window(windowKey), open.start == window.start { window.state = open.state }
                    batch.window = window
                }
                let answer = await runner.target.invoke(batch)
                try Task.checkCancellation()
                let outcome = answer.outcome
                if var window = batch.window {
                    switch outcome {
                    case .failure:
                        break  // the batch comes again with the state it had
                    case .success, .partialFailure:
                        // The state the function returned carries on to its next call in this window.
                        window.state = answer.state ?? window.state
                        runner.setWindow(windowKey, window)
                    }
                }
                record(outcome, batch: batch, count: range.count)
                delivery.complete(outcome, now: engine.currentTime)
            case .discard(let range, let reason, let invocations):
                let batch = TriggerBatch(mapping: mapping, shardID: shard.shardID, records: Array(records[range]))
                runner.logger.warning(
                    "trigger.records_discarded",
                    metadata: [
                        "trigger.uuid": "\(mapping.uuid)", "trigger.records": "\(range.count)", "trigger.reason": "\(reason.rawValue)",
                    ])
                await runner.target.discard(batch, reason: reason, invocations: invocations)
                runner.updateStatus(mapping.uuid) { $0.discardedRecords += range.count }
            case .acknowledge(let index):
                guard checkpointing else { continue }
                let finished = shard.endSequence.map { records[index].sequence >= $0 } ?? false
                try await save(after: records[index].sequence, finished: finished)
            }
        }
    }

    /// Status and log of one invocation.
    private func record(_ outcome: InvocationOutcome, batch: TriggerBatch, count: Int) {
        let now = engine.currentTime
        runner.updateStatus(mapping.uuid) { status in
            switch outcome {
            case .success:
                status.lastProcessingResult = "OK"
                status.deliveredRecords += count
            case .failure, .partialFailure:
                status.lastProcessingResult = "PROBLEM: Function call failed"
                status.failedInvocations += 1
            }
            if let last = batch.records.last { status.iteratorAgeSeconds = max(now - last.createdSeconds, 0) }
        }
        switch outcome {
        case .success:
            break
        case .failure(let reason):
            runner.logger.warning(
                "trigger.delivery_failed",
                metadata: [
                    "trigger.uuid": "\(mapping.uuid)", "trigger.shard": "\(shard.shardID)", "trigger.records": "\(count)",
                    "trigger.reason": "\(reason)",
                ])
        case .partialFailure(let first):
            runner.logger.warning(
                "trigger.delivery_partially_failed", metadata: ["trigger.uuid": "\(mapping.uuid)", "trigger.first_failed": "\(first)"])
        }
    }

    private func save(after: Int64, finished: Bool) async throws {
        try await engine.saveTriggerCheckpoint(
            uuid: mapping.uuid, streamID: streamID, shard: shard.shard,
            TriggerCheckpoint(afterSequence: after, finished: finished))
    }
}

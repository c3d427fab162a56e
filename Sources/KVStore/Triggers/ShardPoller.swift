import Logging

/// One batch of one shard for one mapping: read after the checkpoint, deliver under the
/// mapping's `BatchDelivery` rules, checkpoint as records are acknowledged.
struct ShardPoller: Sendable {
    let runner: TriggerRunner
    let mapping: EventSourceMapping
    let streamID: Int64
    let shard: TriggerShard
    let checkpoint: TriggerCheckpoint?

    var engine: KVEngine { runner.engine }

    /// True if records were handled (delivered, filtered or discarded).
    func runOneBatch() async throws -> Bool {
        // Records already trimmed away are lost to the mapping, as in DynamoDB after 24 hours.
        let after = max(checkpoint?.afterSequence ?? (shard.startSequence - 1), shard.trimmedSequence)
        let records = try await engine.triggerRecords(streamID: streamID, shard: shard.shard, after: after, limit: mapping.batchSize)
        guard !records.isEmpty else {
            if let end = shard.endSequence, after >= end {
                try await save(after: after, finished: true)
            }
            return false
        }
        // MaximumBatchingWindowInSeconds: wait for a full batch until the oldest record is that old.
        if records.count < mapping.batchSize, mapping.maximumBatchingWindowInSeconds > 0, shard.endSequence == nil,
            let first = records.first,
            engine.currentTime - first.createdSeconds < Double(mapping.maximumBatchingWindowInSeconds)
        {
            return false
        }
        var policy = mapping.retryPolicy
        policy.initialBackoff = runner.retryBase
        var delivery = BatchDelivery(
            records: records.map { PendingRecord(sequence: $0.sequence, created: $0.createdSeconds) }, policy: policy)
        while true {
            try Task.checkCancellation()
            switch delivery.next(now: engine.currentTime) {
            case .done:
                return true
            case .wait(let until):
                let seconds = max(until - engine.currentTime, 0.001)
                try await Task.sleep(for: .milliseconds(Int((seconds * 1000).rounded(.up))))
            case .invoke(let range):
                // Disabled, changed or deleted since this batch was read: send nothing more.
                guard runner.isCurrent(mapping) else { throw CancellationError() }
                let batch = TriggerBatch(mapping: mapping, shardID: shard.shardID, records: Array(records[range]))
                let outcome = await runner.target.invoke(batch)
                try Task.checkCancellation()
                let now = engine.currentTime
                runner.updateStatus(mapping.uuid) { status in
                    switch outcome {
                    case .success:
                        status.lastProcessingResult = "OK"
                        status.deliveredRecords += range.count
                    case .failure(let reason):
                        status.lastProcessingResult = "PROBLEM: Function call failed"
                        status.failedInvocations += 1
                        _ = reason
                    case .partialFailure:
                        status.lastProcessingResult = "PROBLEM: Function call failed"
                        status.failedInvocations += 1
                    }
                    if let last = batch.records.last { status.iteratorAgeSeconds = max(now - last.createdSeconds, 0) }
                }
                if case .failure(let reason) = outcome {
                    runner.logger.warning(
                        "trigger.delivery_failed",
                        metadata: [
                            "trigger.uuid": "\(mapping.uuid)", "trigger.shard": "\(shard.shardID)",
                            "trigger.records": "\(range.count)", "trigger.reason": "\(reason)",
                        ])
                } else if case .partialFailure(let first) = outcome {
                    runner.logger.warning(
                        "trigger.delivery_partially_failed",
                        metadata: ["trigger.uuid": "\(mapping.uuid)", "trigger.first_failed": "\(first)"])
                }
                delivery.complete(outcome, now: now)
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
                let finished = shard.endSequence.map { records[index].sequence >= $0 } ?? false
                try await save(after: records[index].sequence, finished: finished)
            }
        }
    }

    private func save(after: Int64, finished: Bool) async throws {
        try await engine.saveTriggerCheckpoint(
            uuid: mapping.uuid, streamID: streamID, shard: shard.shard,
            TriggerCheckpoint(afterSequence: after, finished: finished))
    }
}

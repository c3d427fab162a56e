import ArgumentParser
import Foundation
import KVServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `kvctl stream tail TABLE`: follows every shard of the table's latest stream until Ctrl-C.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
struct StreamTailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail", abstract: "Print stream records as they arrive, until interrupted.",
        discussion: """
            Each record shows its event name (INSERT, MODIFY, REMOVE), the item's keys and the
            images the stream's view type includes. Ctrl-C (SIGINT) stops and exits 0.
            """)

    enum Position: String, ExpressibleByArgument, CaseIterable {
        case trimHorizon = "trim-horizon"
        case latest
    }

    @OptionGroup var global: GlobalOptions
    @OptionGroup var items: ItemFormatOptions

    @Argument(help: "Table name.")
    var table: String

    @Option(help: ArgumentHelp("Start at the oldest record (trim-horizon) or only new ones (latest).", valueName: "position"))
    var from: Position = .latest

    @Option(help: ArgumentHelp("Seconds to wait between polls when there is nothing new.", valueName: "seconds"))
    var interval: Double = 1

    func validate() throws {
        if !(interval > 0 && interval <= 60) { throw ValidationError("--interval must be between 0 and 60 seconds") }
    }

    func run() async throws {
        signal(SIGINT) { _ in _exit(0) }
        let client = try global.client()
        let info = try await TableInfo.fetch(table, client: client)
        guard let streamArn = info.latestStreamArn else {
            throw CLIError("table \(table) has no stream (create it with --stream VIEW)")
        }
        var tracker = ShardTracker(initialStart: from == .latest ? .latest : .trimHorizon)
        var iterators: [String: String] = [:]
        var lastSequence: [String: String] = [:]
        var lastRefresh = Date.distantPast
        var needRefresh = true
        while true {
            if needRefresh || Date().timeIntervalSince(lastRefresh) > 10 {
                let shards = try await describeShards(streamArn, client: client)
                for (shard, start) in tracker.update(shards) {
                    iterators[shard.id] = try await iterator(streamArn, shard.id, start, client: client)
                }
                lastRefresh = Date()
                needRefresh = false
            }
            var sawRecords = false
            for shardID in iterators.keys.sorted() {
                guard let current = iterators[shardID] else { continue }
                let response: JSONValue
                do {
                    response = try await client.call(
                        "GetRecords", .object(["ShardIterator": .string(current), "Limit": .number("1000")]),
                        api: .streams)
                } catch let error as ServiceError where error.type == "ExpiredIteratorException" {
                    iterators[shardID] = try await iterator(
                        streamArn, shardID, .trimHorizon, after: lastSequence[shardID], client: client)
                    continue
                }
                for record in response["Records"]?.arrayValue ?? [] {
                    sawRecords = true
                    if let sequence = record["dynamodb"]?["SequenceNumber"]?.stringValue { lastSequence[shardID] = sequence }
                    try print(record)
                }
                if let next = response["NextShardIterator"]?.stringValue {
                    iterators[shardID] = next
                } else {
                    iterators[shardID] = nil
                    for (child, start) in tracker.finish(shardID) {
                        iterators[child.id] = try await iterator(streamArn, child.id, start, client: client)
                    }
                    needRefresh = true
                }
            }
            if !sawRecords { try await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000)) }
        }
    }

    private func describeShards(_ arn: String, client: DynamoDBClient) async throws -> [ShardInfo] {
        var shards: [ShardInfo] = []
        var start: String?
        repeat {
            var request: [String: JSONValue] = ["StreamArn": .string(arn)]
            if let start { request["ExclusiveStartShardId"] = .string(start) }
            let response = try await client.call("DescribeStream", .object(request), api: .streams)
            let description = response["StreamDescription"]
            for shard in description?["Shards"]?.arrayValue ?? [] {
                guard let id = shard["ShardId"]?.stringValue else { continue }
                shards.append(
                    ShardInfo(
                        id: id, parentID: shard["ParentShardId"]?.stringValue,
                        isClosed: shard["SequenceNumberRange"]?["EndingSequenceNumber"]?.stringValue != nil))
            }
            start = description?["LastEvaluatedShardId"]?.stringValue
        } while start != nil
        return shards
    }

    private func iterator(
        _ arn: String, _ shardID: String, _ start: ShardTracker.Start, after sequence: String? = nil,
        client: DynamoDBClient
    ) async throws -> String? {
        var request: [String: JSONValue] = ["StreamArn": .string(arn), "ShardId": .string(shardID)]
        if let sequence {
            request["ShardIteratorType"] = .string("AFTER_SEQUENCE_NUMBER")
            request["SequenceNumber"] = .string(sequence)
        } else {
            request["ShardIteratorType"] = .string(start == .latest ? "LATEST" : "TRIM_HORIZON")
        }
        let response = try await client.call("GetShardIterator", .object(request), api: .streams)
        return response["ShardIterator"]?.stringValue
    }

    private func print(_ record: JSONValue) throws {
        let codec = items.codec
        let change = record["dynamodb"] ?? .object([:])
        var out: [String: JSONValue] = ["eventName": record["eventName"] ?? .null]
        for (wire, name) in [("Keys", "keys"), ("NewImage", "newImage"), ("OldImage", "oldImage")] {
            if let image = change[wire] { out[name] = try codec.present(image) }
        }
        if let sequence = change["SequenceNumber"] { out["sequenceNumber"] = sequence }
        if let time = change["ApproximateCreationDateTime"] { out["approximateCreationDateTime"] = time }
        switch global.format {
        case .jsonl: Terminal.write(JSONRender.compact(.object(out)) + "\n")
        case .json: Terminal.write(JSONRender.pretty(.object(out)) + "\n")
        case .table:
            var line = (record["eventName"]?.stringValue ?? "?").padding(toLength: 7, withPad: " ", startingAt: 0)
            line += " " + (out["keys"].map(JSONRender.compact) ?? "{}")
            if let new = out["newImage"] { line += "  new=" + JSONRender.compact(new) }
            if let old = out["oldImage"] { line += "  old=" + JSONRender.compact(old) }
            Terminal.write(line + "\n")
        }
    }
}

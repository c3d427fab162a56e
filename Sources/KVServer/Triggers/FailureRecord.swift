#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KVStore

/// What Lambda sends an on-failure destination about stream records it gave up on: the
/// invocation context and the batch's position (`DDBStreamBatchInfo`), not the records.
/// See https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
enum FailureRecord {
    static func body(
        batch: TriggerBatch, first: StreamRecord, last: StreamRecord, reason: DiscardReason, invocations: Int
    ) -> [UInt8] {
        let mapping = batch.mapping
        let region = TriggerEvent.region(of: mapping)
        let functionArn = mapping.functionName.hasPrefix("arn:")
            ? mapping.functionName
            : "arn:aws:lambda:\(region):\(TableName.accountID):function:\(TriggerDelivery.functionName(mapping.functionName))"
        let value: JSONValue = .object([
            "requestContext": .object([
                "requestId": .string(UUID().uuidString.lowercased()),
                "functionArn": .string(functionArn),
                "condition": .string(reason.rawValue),
                "approximateInvokeCount": .number(String(invocations)),
            ]),
            "responseContext": .object([
                "statusCode": .number("200"),
                "executedVersion": .string("$LATEST"),
                "functionError": .string("Unhandled"),
            ]),
            "version": .string("1.0"),
            "timestamp": .string(iso8601(Date().timeIntervalSince1970, fraction: true)),
            "DDBStreamBatchInfo": .object([
                "shardId": .string(batch.shardID),
                "startSequenceNumber": .string(first.sequenceNumber),
                "endSequenceNumber": .string(last.sequenceNumber),
                "approximateArrivalOfFirstRecord": .string(iso8601(first.createdSeconds, fraction: false)),
                "approximateArrivalOfLastRecord": .string(iso8601(last.createdSeconds, fraction: false)),
                "batchSize": .number(String(batch.records.count)),
                "streamArn": .string(mapping.eventSourceArn),
            ]),
        ])
        return JSONWriter.encode(value)
    }

    static func iso8601(_ seconds: Double, fraction: Bool) -> String {
        let date = Date(timeIntervalSince1970: seconds)
        var style = Date.ISO8601FormatStyle()
        if fraction { style = style.time(includingFractionalSeconds: true) }
        return date.formatted(style)
    }
}

import KVServer

/// CreateBackup, the restores, ExportTableToPointInTime and ImportTable answer before their work
/// is done (CREATING, IN_PROGRESS), as in DynamoDB; kvctl then polls the matching Describe call,
/// as `aws dynamodb wait` and boto3's waiters do, and prints the final description.
enum AsyncCompletion {
    /// Calls `operation` with `request` until `status` of the answer is no longer `inProgress`.
    /// - Returns: the last answer's `member`.
    static func wait(
        _ client: DynamoDBClient, _ operation: String, _ request: JSONValue, member: String,
        status: (JSONValue) -> String?, inProgress: String
    ) async throws -> JSONValue {
        while true {
            let described = try await client.call(operation, request)[member] ?? .object([:])
            if status(described) != inProgress { return described }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    static func backup(_ client: DynamoDBClient, arn: JSONValue) async throws -> JSONValue {
        let description = try await wait(
            client, "DescribeBackup", .object(["BackupArn": arn]), member: "BackupDescription",
            status: { $0["BackupDetails"]?["BackupStatus"]?.stringValue }, inProgress: "CREATING")
        return description["BackupDetails"] ?? .object([:])
    }

    static func table(_ client: DynamoDBClient, name: JSONValue) async throws -> JSONValue {
        try await wait(
            client, "DescribeTable", .object(["TableName": name]), member: "Table",
            status: { $0["TableStatus"]?.stringValue }, inProgress: "CREATING")
    }

    static func export(_ client: DynamoDBClient, arn: JSONValue) async throws -> JSONValue {
        try await wait(
            client, "DescribeExport", .object(["ExportArn": arn]), member: "ExportDescription",
            status: { $0["ExportStatus"]?.stringValue }, inProgress: "IN_PROGRESS")
    }

    static func importTable(_ client: DynamoDBClient, arn: JSONValue) async throws -> JSONValue {
        try await wait(
            client, "DescribeImport", .object(["ImportArn": arn]), member: "ImportTableDescription",
            status: { $0["ImportStatus"]?.stringValue }, inProgress: "IN_PROGRESS")
    }
}

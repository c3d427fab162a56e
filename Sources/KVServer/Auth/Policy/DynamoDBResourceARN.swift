/// The ARNs IAM checks DynamoDB requests against, in the region of the request's credential
/// scope and the account of the calling identity (this server has one namespace of tables, so
/// the resource a request touches is always "its own account's").
/// See https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html#amazondynamodb-resources-for-iam-policies
struct DynamoDBResourceARN: Sendable {
    let region: String
    let account: String
    /// `arn:aws:dynamodb:REGION:ACCOUNT:`, built once per request.
    let prefix: String

    init(region: String, account: String) {
        self.region = region
        self.account = account
        prefix = "arn:aws:dynamodb:" + region + ":" + account + ":"
    }

    func table(_ name: String) -> String { prefix + "table/" + name }
    func index(_ name: String, table: String) -> String { prefix + "table/\(table)/index/\(name)" }
    func stream(label: String, table: String) -> String { prefix + "table/\(table)/stream/\(label)" }

    /// `TableName` as a request gives it: a plain name, or a table ARN (whose own region and
    /// account are replaced by the request's, see above).
    func table(named value: String) -> String {
        if let resource = resourcePart(of: value) { return prefix + resource }
        return table(value)
    }

    /// A `ResourceArn` or `StreamArn`: its resource part, in the request's region and account.
    /// A value that is no DynamoDB ARN is kept as it is (the handler rejects it).
    func normalized(_ value: String) -> String {
        resourcePart(of: value).map { prefix + $0 } ?? value
    }

    /// The plain table name of a `TableName` value (a name or a table ARN).
    static func tableName(_ value: String) -> String {
        guard value.hasPrefix("arn:") else { return value }
        let parts = value.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[5].hasPrefix("table/") else { return value }
        return String(parts[5].dropFirst("table/".count).prefix { $0 != "/" })
    }

    private func resourcePart(of value: String) -> String? {
        guard value.hasPrefix("arn:") else { return nil }
        let parts = value.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[2] == "dynamodb" else { return nil }
        return String(parts[5])
    }
}

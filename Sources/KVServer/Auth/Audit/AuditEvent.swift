import KVStore
import NIOCore
import NIOHTTP1

/// One audit record, with CloudTrail's field names
/// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
///
/// Built from an allowlist: table and index names and operation options only. Attribute
/// values, keys, expression values, PartiQL statements, tokens and secrets are never copied
/// in, and error messages only for errors whose texts carry none of them.
public struct AuditEvent: Sendable {
    public var eventTime: Double
    public var eventName: String
    public var awsRegion: String
    public var sourceIPAddress: String?
    public var userAgent: String?
    public var accessKeyID: String?
    public var identity: AuthenticatedIdentity?
    public var requestParameters: [String: JSONValue]
    public var tableNames: [String]
    public var requestID: String
    public var errorCode: String?
    public var errorMessage: String?
    public var isSecure: Bool
    /// CloudTrail's `eventSource`: `dynamodb.amazonaws.com`, or a REST route's service
    /// (`lambda.amazonaws.com`).
    public var eventSource: String = "dynamodb.amazonaws.com"

    /// A REST route's request (Lambda's control plane): no request parameters are recorded
    /// (function names and mapping ids are in the path, and bodies may hold filter patterns).
    static func start(
        service: String, operation: String, head: HTTPRequestHead, context: RequestContext,
        connection: ConnectionInfo, requestID: String, time: Double
    ) -> AuditEvent {
        var event = AuditEvent(
            eventTime: time, eventName: operation, awsRegion: context.region, sourceIPAddress: connection.remoteIP,
            userAgent: head.headers.first(name: "user-agent"), accessKeyID: context.accessKeyID, identity: nil,
            requestParameters: [:], tableNames: [], requestID: requestID, errorCode: nil, errorMessage: nil,
            isSecure: connection.isSecure)
        event.eventSource = service + ".amazonaws.com"
        return event
    }

    static func start(
        target: String, head: HTTPRequestHead, input: JSONValue?, body: ByteBuffer, context: RequestContext,
        connection: ConnectionInfo, requestID: String, time: Double
    ) -> AuditEvent {
        var request = input ?? .null
        if case .null = request, body.readableBytes > 0 {
            // Operations that decode their body from bytes (BatchWriteItem): parse it here, for
            // the table names only.
            request =
                (try? body.withUnsafeReadableBytes { bytes throws(JSONParseError) in try JSONParser.parse(bytes) })
                ?? .null
        }
        let (parameters, tables) = AuditRequestParameters.extract(from: request)
        return AuditEvent(
            eventTime: time, eventName: APIRequestProcessor.operationName(target), awsRegion: context.region,
            sourceIPAddress: connection.remoteIP, userAgent: head.headers.first(name: "user-agent"),
            accessKeyID: context.accessKeyID, identity: nil, requestParameters: parameters, tableNames: tables,
            requestID: requestID, errorCode: nil, errorMessage: nil, isSecure: connection.isSecure)
    }

    mutating func identify(_ identity: AuthenticatedIdentity, region: String) {
        self.identity = identity
        self.accessKeyID = identity.accessKeyID
        self.awsRegion = region
    }

    func finished(error: WireError) -> AuditEvent {
        var event = self
        event.errorCode = String(error.name)
        event.errorMessage = Self.safeMessageErrors.contains(event.errorCode ?? "") ? error.message : nil
        return event
    }

    func finished(response: APIResponse) -> AuditEvent {
        // Lambda's control plane answers 201, 202 and 204 as well.
        guard !(200..<300).contains(response.status) else { return self }
        var event = self
        // The error's name from the body's `__type`, or the `x-amzn-ErrorType` header of REST
        // answers (the handler's answer is already bytes).
        let fields: [String: JSONValue]
        if case .object(let object)? = try? JSONParser.parse(response.body) { fields = object } else { fields = [:] }
        let headerType = response.extraHeaders.first { $0.0.lowercased() == "x-amzn-errortype" }?.1
        if let type = fields["__type"].flatMap({ if case .string(let text) = $0 { text } else { nil } }) ?? headerType {
            let name = type.split(separator: "#").last.map(String.init) ?? type
            event.errorCode = name
            if Self.safeMessageErrors.contains(name) {
                if case .string(let message)? = fields["message"] ?? fields["Message"] { event.errorMessage = message }
            }
        } else {
            event.errorCode = "HTTP\(response.status)"
        }
        return event
    }

    /// Errors whose messages hold no request data but names, ARNs, dates and key ids.
    static let safeMessageErrors: Set<String> = [
        "MissingAuthenticationTokenException", "IncompleteSignatureException", "InvalidSignatureException",
        "UnrecognizedClientException", "ExpiredTokenException", "AccessDeniedException",
        "ResourceNotFoundException", "ResourceInUseException", "ConditionalCheckFailedException",
        "ThrottlingException", "ProvisionedThroughputExceededException", "InternalServerError",
    ]

    static let readOnlyOperations: Set<String> = [
        "GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "DescribeTable", "ListTables",
        "DescribeTimeToLive", "DescribeLimits", "DescribeEndpoints", "ListTagsOfResource",
        "DescribeContinuousBackups", "DescribeStream", "GetRecords", "GetShardIterator", "ListStreams",
        "ListBackups", "DescribeBackup", "ListGlobalTables", "DescribeGlobalTable",
        "ListEventSourceMappings", "GetEventSourceMapping",
    ]

    /// The record as one line of JSON (with the trailing newline).
    public func jsonLine() -> [UInt8] {
        var identityFields: [String: JSONValue] = [:]
        if let identity {
            identityFields["type"] = .string(Self.principalType(identity.arn))
            identityFields["arn"] = .string(identity.arn)
            identityFields["accountId"] = .string(identity.accountID)
            identityFields["principalId"] = .string(identity.userID)
            if let userName = identity.userName { identityFields["userName"] = .string(userName) }
        } else {
            identityFields["type"] = .string("Unknown")
        }
        if let accessKeyID { identityFields["accessKeyId"] = .string(accessKeyID) }
        let account = identity?.accountID
        let resources: [JSONValue] = tableNames.map { table in
            var resource: [String: JSONValue] = [
                "type": .string("AWS::DynamoDB::Table"),
                "ARN": .string("arn:aws:dynamodb:\(awsRegion):\(account ?? "000000000000"):table/\(table)"),
            ]
            if let account { resource["accountId"] = .string(account) }
            return .object(resource)
        }
        var fields: [String: JSONValue] = [
            "eventVersion": .string("1.08"),
            "eventType": .string("AwsApiCall"),
            "eventTime": .string(UTCTimestamp.extended(Int64(eventTime.rounded(.down)))),
            "eventSource": .string(eventSource),
            "eventName": .string(eventName),
            "awsRegion": .string(awsRegion),
            "userIdentity": .object(identityFields),
            "requestParameters": requestParameters.isEmpty ? .null : .object(requestParameters),
            "requestID": .string(requestID),
            "readOnly": .bool(Self.readOnlyOperations.contains(eventName)),
            "resources": .array(resources),
            "tlsDetails": .object(["secureTransport": .bool(isSecure)]),
        ]
        if let sourceIPAddress { fields["sourceIPAddress"] = .string(sourceIPAddress) }
        if let userAgent { fields["userAgent"] = .string(userAgent) }
        if let errorCode { fields["errorCode"] = .string(errorCode) }
        if let errorMessage { fields["errorMessage"] = .string(errorMessage) }
        var out: [UInt8] = []
        out.reserveCapacity(512)
        JSONWriter.write(.object(fields), into: &out)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    /// CloudTrail's `userIdentity.type` for a principal ARN.
    static func principalType(_ arn: String) -> String {
        let resource = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).last ?? ""
        if resource.hasPrefix("user/") { return "IAMUser" }
        if resource.hasPrefix("assumed-role/") { return "AssumedRole" }
        if resource.hasPrefix("role/") { return "AssumedRole" }
        if resource == "root" { return "Root" }
        return "Unknown"
    }
}

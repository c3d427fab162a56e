public import KVStore

/// An error as DynamoDB puts it on the wire: HTTP status plus a JSON body
/// `{"__type":"<namespace>#<Name>","message":"..."}`.
///
/// This is the one place where `KVError` codes become wire types and statuses. The namespaces
/// follow what DynamoDB really answers (recorded by dynalite and dynoxide against AWS):
/// - `com.amazon.coral.validate#` for ValidationException;
/// - `com.amazon.coral.service#` for the front-end errors: SerializationException,
///   UnknownOperationException, MissingAuthenticationTokenException, IncompleteSignatureException,
///   InvalidSignatureException, UnrecognizedClientException, AccessDeniedException;
/// - `com.amazon.coral.availability#` for ThrottlingException;
/// - `com.amazonaws.dynamodb.v20120810#` for DynamoDB's own errors (ResourceNotFoundException,
///   ConditionalCheckFailedException, TransactionCanceledException, InternalServerError, ...;
///   DynamoDB Streams answers ExpiredIteratorException and TrimmedDataAccessException there too).
///
/// Status is 400 for client errors and 500 for InternalServerError.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The full `__type`, e.g. `com.amazon.coral.service#SerializationException`.
    public var type: String
    /// The message; nil when DynamoDB sends none (unparseable JSON, unknown operation).
    public var message: String?
    /// `"message"` for most errors; DynamoDB spells it `"Message"` for a few.
    public var messageKey: String
    public var status: Int
    /// Already-encoded extra members, e.g. `"Item"` for ConditionalCheckFailedException
    /// with `ReturnValuesOnConditionCheckFailure=ALL_OLD`.
    public var extraMembers: [(key: String, value: JSONValue)]

    public init(
        type: String,
        message: String?,
        status: Int = 400,
        messageKey: String = "message",
        extraMembers: [(key: String, value: JSONValue)] = []
    ) {
        self.type = type
        self.message = message
        self.status = status
        self.messageKey = messageKey
        self.extraMembers = extraMembers
    }

    public static func == (lhs: WireError, rhs: WireError) -> Bool {
        lhs.type == rhs.type && lhs.message == rhs.message && lhs.status == rhs.status
            && lhs.messageKey == rhs.messageKey
            && lhs.extraMembers.map(\.key) == rhs.extraMembers.map(\.key)
            && lhs.extraMembers.map(\.value) == rhs.extraMembers.map(\.value)
    }

    public var description: String { "\(type): \(message ?? "")" }

    /// The error name SDKs read: the part of `type` after `#`.
    public var name: Substring {
        guard let hash = type.lastIndex(of: "#") else { return type[...] }
        return type[type.index(after: hash)...]
    }

    // MARK: - From the engine

    /// The wire form of an engine error; an item the error carries (ConditionalCheckFailed with
    /// `ReturnValuesOnConditionCheckFailure=ALL_OLD`) goes out as `"Item"` in DynamoDB JSON.
    public init(_ error: KVError) {
        var extra: [(key: String, value: JSONValue)] = []
        if let item = error.item {
            extra.append((key: "Item", value: AttributeValueWire.encodeItem(item)))
        }
        if let reasons = error.cancellationReasons {
            extra.append((key: "CancellationReasons", value: .array(reasons.map(Self.encode))))
        }
        self.init(
            type: Self.namespace(for: error.code) + error.code.rawValue,
            message: error.message.isEmpty && error.code.omitsEmptyMessage ? nil : error.message,
            status: Self.status(for: error.code),
            messageKey: Self.messageKey(for: error.code),
            extraMembers: extra
        )
    }

    /// `{"Code": "...", "Message": "...", "Item": {...}}`; "None" reasons carry only their code.
    static func encode(_ reason: CancellationReason) -> JSONValue {
        var fields: [String: JSONValue] = ["Code": .string(reason.code)]
        if let message = reason.message { fields["Message"] = .string(message) }
        if let item = reason.item { fields["Item"] = AttributeValueWire.encodeItem(item) }
        return .object(fields)
    }

    static func namespace(for code: KVError.Code) -> String {
        switch code {
        case .validation:
            return "com.amazon.coral.validate#"
        case .serialization, .unknownOperation, .missingAuthenticationToken, .accessDenied,
            .unrecognizedClient, .invalidSignature, .requestEntityTooLarge:
            return "com.amazon.coral.service#"
        case .throttling:
            return "com.amazon.coral.availability#"
        case .resourceNotFound, .resourceInUse, .conditionalCheckFailed, .duplicateItem, .transactionCanceled,
            .transactionConflict, .idempotentParameterMismatch, .limitExceeded,
            .itemCollectionSizeLimitExceeded, .provisionedThroughputExceeded, .trimmedDataAccess,
            .expiredIterator, .internalServerError:
            return "com.amazonaws.dynamodb.v20120810#"
        }
    }

    static func status(for code: KVError.Code) -> Int {
        switch code {
        case .internalServerError: 500
        case .requestEntityTooLarge: 413
        default: 400
        }
    }

    /// DynamoDB capitalises the key for type errors found while deserialising a request
    /// (`{"__type":"...#SerializationException","Message":"..."}`), for
    /// TransactionCanceledException and for the IAM denial
    /// (`{"__type":"com.amazon.coral.service#AccessDeniedException","Message":"User: ... is not
    /// authorized to perform: dynamodb:PutItem ..."}`, as captured from DynamoDB in SDK debug logs).
    static func messageKey(for code: KVError.Code) -> String {
        switch code {
        case .serialization, .transactionCanceled, .accessDenied: "Message"
        default: "message"
        }
    }

    // MARK: - Front-end errors raised by the HTTP layer

    /// Unparseable JSON body, or an empty body: DynamoDB sends no message.
    public static let malformedBody = WireError(
        type: "com.amazon.coral.service#SerializationException", message: nil)

    /// Missing, malformed or unknown `X-Amz-Target`: DynamoDB sends no message.
    public static let unknownOperation = WireError(
        type: "com.amazon.coral.service#UnknownOperationException", message: nil)

    public static let missingAuthenticationToken = WireError(
        type: "com.amazon.coral.service#MissingAuthenticationTokenException",
        message: "Request is missing Authentication Token")

    public static func incompleteSignature(_ message: String) -> WireError {
        WireError(type: "com.amazon.coral.service#IncompleteSignatureException", message: message)
    }

    public static func invalidSignature(_ message: String) -> WireError {
        WireError(type: "com.amazon.coral.service#InvalidSignatureException", message: message)
    }

    public static func unrecognizedClient(
        _ message: String = "The security token included in the request is invalid."
    ) -> WireError {
        WireError(type: "com.amazon.coral.service#UnrecognizedClientException", message: message)
    }

    public static func internalServerError(_ message: String = "Internal server error") -> WireError {
        WireError(type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: message, status: 500)
    }

    // MARK: - Body

    /// The JSON body: `__type` first, then the message, then any extra members.
    public func encodedBody() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + type.utf8.count + (message?.utf8.count ?? 0))
        out.append(contentsOf: #"{"__type":"#.utf8)
        JSONWriter.writeString(type, into: &out)
        if let message {
            out.append(UInt8(ascii: ","))
            JSONWriter.writeString(messageKey, into: &out)
            out.append(UInt8(ascii: ":"))
            JSONWriter.writeString(message, into: &out)
        }
        for member in extraMembers {
            out.append(UInt8(ascii: ","))
            JSONWriter.writeString(member.key, into: &out)
            out.append(UInt8(ascii: ":"))
            JSONWriter.write(member.value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

extension KVError.Code {
    /// Codes DynamoDB sends without a message when there is nothing to say.
    fileprivate var omitsEmptyMessage: Bool {
        switch self {
        case .serialization, .unknownOperation: true
        default: false
        }
    }
}

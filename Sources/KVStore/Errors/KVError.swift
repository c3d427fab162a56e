/// The one error type of the engine: a DynamoDB error code and its message.
///
/// The engine knows nothing of HTTP; `KVServer` maps `code` to the wire
/// (`__type` prefix and status) in exactly one place.
public struct KVError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case validation = "ValidationException"
        case serialization = "SerializationException"
        case resourceNotFound = "ResourceNotFoundException"
        case resourceInUse = "ResourceInUseException"
        case conditionalCheckFailed = "ConditionalCheckFailedException"
        /// A PartiQL INSERT of a key that exists.
        case duplicateItem = "DuplicateItemException"
        case transactionCanceled = "TransactionCanceledException"
        case transactionConflict = "TransactionConflictException"
        case idempotentParameterMismatch = "IdempotentParameterMismatchException"
        case limitExceeded = "LimitExceededException"
        case itemCollectionSizeLimitExceeded = "ItemCollectionSizeLimitExceededException"
        case provisionedThroughputExceeded = "ProvisionedThroughputExceededException"
        case throttling = "ThrottlingException"
        case trimmedDataAccess = "TrimmedDataAccessException"
        case expiredIterator = "ExpiredIteratorException"
        case unknownOperation = "UnknownOperationException"
        case missingAuthenticationToken = "MissingAuthenticationTokenException"
        case accessDenied = "AccessDeniedException"
        case unrecognizedClient = "UnrecognizedClientException"
        case invalidSignature = "InvalidSignatureException"
        case requestEntityTooLarge = "RequestEntityTooLarge"
        case internalServerError = "InternalServerError"
    }

    public var code: Code
    public var message: String
    /// The item that failed a condition, when the request asked for
    /// `ReturnValuesOnConditionCheckFailure=ALL_OLD`.
    public var item: Item?
    /// TransactionCanceledException: one reason per action of the transaction, in order.
    public var cancellationReasons: [CancellationReason]?

    public init(_ code: Code, _ message: String, item: Item? = nil, cancellationReasons: [CancellationReason]? = nil) {
        self.code = code
        self.message = message
        self.item = item
        self.cancellationReasons = cancellationReasons
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func validation(_ message: String) -> KVError { KVError(.validation, message) }
    public static func resourceNotFound(_ message: String) -> KVError { KVError(.resourceNotFound, message) }
    public static func resourceInUse(_ message: String) -> KVError { KVError(.resourceInUse, message) }
    public static func serialization(_ message: String) -> KVError { KVError(.serialization, message) }
    public static func internalError(_ message: String = "Internal server error") -> KVError {
        KVError(.internalServerError, message)
    }

    /// Shape errors read "1 validation error detected: Value '...' at 'path' failed to satisfy constraint: ...".
    /// Several are joined with "; " under one "N validation errors detected:" prefix.
    public static func constraints(_ violations: [String]) -> KVError {
        let count = violations.count
        let head = count == 1 ? "1 validation error detected: " : "\(count) validation errors detected: "
        return .validation(head + violations.joined(separator: "; "))
    }
}

/// Why one action of a cancelled transaction failed (`CancellationReason`); `code` is "None"
/// for the actions that would have succeeded.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CancellationReason.html
public struct CancellationReason: Sendable, Equatable {
    public var code: String
    public var message: String?
    /// The item as stored, when the action asked for `ReturnValuesOnConditionCheckFailure=ALL_OLD`.
    public var item: Item?

    public init(code: String, message: String? = nil, item: Item? = nil) {
        self.code = code
        self.message = message
        self.item = item
    }

    public static let none = CancellationReason(code: "None")
}

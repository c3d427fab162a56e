/// An error answered by the DynamoDB endpoint: printed as `Error: <Type>: <message>`, exit 1.
struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The short error type, e.g. `ResourceNotFoundException` (the `__type` after its `#`).
    var type: String
    var message: String
    var httpStatus: Int

    init(type: String, message: String, httpStatus: Int) {
        self.type = type
        self.message = message
        self.httpStatus = httpStatus
    }

    var description: String { message.isEmpty ? "Error: \(type)" : "Error: \(type): \(message)" }

    /// Errors worth retrying with backoff (throttling and server-side failures).
    var isRetryable: Bool {
        switch type {
        case "ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
            "InternalServerError", "ServiceUnavailable", "LimitExceededException":
            return true
        default:
            return httpStatus >= 500
        }
    }
}

/// A failure of kvctl itself (bad input, unreadable file, unreachable endpoint).
/// Usage mistakes exit 2, everything else 1.
struct CLIError: Error, Sendable, CustomStringConvertible {
    var message: String
    var exitCode: Int32

    init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    /// A mistake in the command line or its JSON arguments: exit code 2.
    static func usage(_ message: String) -> CLIError { CLIError(message, exitCode: 2) }

    var description: String { message }
}

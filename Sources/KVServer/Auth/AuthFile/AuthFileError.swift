/// What is wrong with an auth file: where (`identities[1].keys[0].notAfter`) and why. Never
/// carries a secret: messages name fields, not their values.
public struct AuthFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON path of the offending value; empty for the whole document.
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

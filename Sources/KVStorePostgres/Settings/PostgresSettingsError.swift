/// Why a `--storage postgres://...` setting was refused. The message says what to change; it
/// never repeats a password.
public struct PostgresSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

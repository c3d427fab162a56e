import Synchronization

/// The auth configuration in force; replaced as a whole on reload, read once per request.
public final class AuthConfigurationStore: Sendable {
    private let current: Mutex<AuthConfiguration>

    public init(_ configuration: AuthConfiguration) {
        current = Mutex(configuration)
    }

    public var configuration: AuthConfiguration { current.withLock { $0 } }

    public func replace(with configuration: AuthConfiguration) {
        current.withLock { $0 = configuration }
    }
}

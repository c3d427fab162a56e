/// Verifies SigV4 signatures against the keys of the auth file in force (see `SigV4Verifier`)
/// and names the identity that signed.
public struct SigV4Authenticator: Authenticator {
    public let store: AuthConfigurationStore
    /// Seconds since 1970; injected so that tests can move time.
    public let clock: @Sendable () -> Double

    public init(store: AuthConfigurationStore, clock: @escaping @Sendable () -> Double) {
        self.store = store
        self.clock = clock
    }

    public var verifiesSignatures: Bool { true }

    public func authenticate(_ request: AuthenticationRequest) throws(WireError) -> Authentication? {
        let configuration = store.configuration
        let verified = try SigV4Verifier().verifiedRegion(
            request, now: clock(), signingKeys: configuration.signingKeys,
            credentialBytes: { configuration.verifiableKey($0) })
        // Fails closed: a key without an identity cannot happen after validation, but if it did
        // it must not pass.
        guard let identity = verified.key.identity else {
            throw WireError.unrecognizedClient()
        }
        return Authentication(identity: identity, region: verified.region)
    }
}

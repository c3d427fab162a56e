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
        var identity: AuthenticatedIdentity?
        let region = try SigV4Verifier().verifiedRegion(
            request, now: clock(), signingKeys: configuration.signingKeys,
            credentialBytes: { accessKeyID in
                let key = configuration.verifiableKey(accessKeyID)
                identity = key?.identity
                return key?.credential
            })
        // Fails closed: a key without an identity cannot happen after validation, but if it did
        // it must not pass.
        guard let identity else {
            throw WireError.unrecognizedClient()
        }
        return Authentication(identity: identity, region: region)
    }
}

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// AWS Signature Version 4 as a pure function of the request, credentials and time.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
public struct SigV4Signer: Sendable {
    public struct Credentials: Sendable, Equatable {
        public var accessKeyID: String
        public var secretAccessKey: String
        public var sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }

        /// From `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, or nil when
        /// the environment names none.
        public static func configured(in environment: [String: String]) -> Credentials? {
            guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
                let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
            else { return nil }
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return Credentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token)
        }

        /// `configured(in:)`, else dummy credentials (any are accepted by a local server
        /// without `--auth`).
        public static func fromEnvironment(_ environment: [String: String]) -> Credentials {
            configured(in: environment)
                ?? Credentials(accessKeyID: "AKIDKVCTLLOCAL000000", secretAccessKey: "kvctl-local-dummy-secret")
        }
    }

    public var credentials: Credentials
    public var region: String
    public var service: String

    public init(credentials: Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to a request: `X-Amz-Date`, `Authorization` and, with temporary
    /// credentials, `X-Amz-Security-Token`. The canonicalisation is the server's own
    /// (`KVServer.SigV4`), so signer and verifier cannot drift apart.
    ///
    /// - Parameters:
    ///   - headers: every header to sign, including `host`; names in any case.
    ///   - query: the canonical (already encoded, sorted) query string, usually empty.
    public func sign(
        method: String, path: String, query: String = "", headers: [String: String], body: [UInt8], date: Date
    ) -> [String: String] {
        let (amzDate, day) = Self.timestamps(date)
        var signed = [String: String]()
        for (name, value) in headers { signed[name.lowercased()] = SigV4.canonicalHeaderValue(value) }
        signed["x-amz-date"] = amzDate
        if let token = credentials.sessionToken { signed["x-amz-security-token"] = token }
        let names = signed.keys.sorted()
        let canonicalRequest = SigV4.canonicalRequest(
            method: method, path: path.isEmpty ? "/" : path, query: query,
            headers: names.map { (name: $0, value: signed[$0] ?? "") }, payloadHash: SigV4.sha256Hex(body))
        let scope = SigV4.scope(day: day, region: region, service: service)
        let stringToSign = SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonicalRequest)
        let signature = SigV4.signature(
            signingKey: SigV4.signingKey(secret: credentials.secretAccessKey, day: day, region: region, service: service),
            stringToSign: stringToSign)
        var result = [
            "X-Amz-Date": amzDate,
            "Authorization": SigV4.authorization(
                accessKeyID: credentials.accessKeyID, scope: scope, signedHeaders: SigV4.signedHeaders(names),
                signature: signature),
        ]
        if let token = credentials.sessionToken { result["X-Amz-Security-Token"] = token }
        return result
    }

    /// `20150830T123600Z` and `20150830` in UTC.
    public static func timestamps(_ date: Date) -> (String, String) {
        let amzDate = UTCTimestamp.basic(Int64(date.timeIntervalSince1970.rounded(.down)))
        return (amzDate, String(amzDate.prefix(8)))
    }
}

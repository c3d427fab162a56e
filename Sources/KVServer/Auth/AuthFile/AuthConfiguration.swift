import Synchronization

/// The identities and keys of an auth file, validated and ready for lookups.
///
/// File format (documented in the README, "Security"):
/// ```json
/// {"identities": [{"arn": "arn:aws:iam::111122223333:user/app",
///                  "keys": [{"accessKeyId": "AKIA...", "secretAccessKey": "...",
///                            "sessionToken": "...", "notAfter": "2027-01-01T00:00:00Z"}],
///                  "policies": [{"Version": "2012-10-17", "Statement": [...]}]}]}
/// ```
/// Unknown members are errors (a misspelt `notAfter` must not silently make a key eternal).
public final class AuthConfiguration: Sendable {
    public struct Identity: Sendable {
        public var arn: String
        public var accountID: String
        public var userName: String?
        /// `aws:userid` when the file names one (`userId`); otherwise the access key id is used.
        public var userID: String?
        public var policies: [IAMPolicy]
    }

    public struct Key: Sendable {
        public var credential: SigV4Credential
        /// Index into `identities`.
        public var identity: Int
    }

    public let identities: [Identity]
    public let keys: [String: Key]
    /// Derived signing keys for these secrets (a new configuration starts a new cache).
    public let signingKeys = SigningKeyCache()
    /// Each key's credential and identity as the authorizer sees it, built once at load rather
    /// than per request, and found with one lookup.
    private let verifiableKeys: [String: VerifiableKey]
    /// The entry of `verifiableKeys` found last, by its key id's bytes.
    private let recentKey = Mutex<(id: [UInt8], key: VerifiableKey)?>(nil)

    public init(identities: [Identity], keys: [String: Key]) {
        self.identities = identities
        self.keys = keys
        var verifiable: [String: VerifiableKey] = [:]
        for (accessKeyID, key) in keys where identities.indices.contains(key.identity) {
            let identity = identities[key.identity]
            verifiable[accessKeyID] = VerifiableKey(
                credential: key.credential,
                identity: AuthenticatedIdentity(
                    arn: identity.arn, accountID: identity.accountID, userName: identity.userName,
                    userID: identity.userID ?? accessKeyID, accessKeyID: accessKeyID, policies: identity.policies))
        }
        verifiableKeys = verifiable
    }

    /// The identity a verified key belongs to, as the authorizer sees it.
    public func authenticatedIdentity(accessKeyID: String) -> AuthenticatedIdentity? {
        verifiableKeys[accessKeyID]?.identity
    }

    /// A key's credential and identity, in one lookup (the verifier's, per request).
    func verifiableKey(_ accessKeyID: String) -> VerifiableKey? {
        verifiableKeys[accessKeyID]
    }

    /// The same for the key id's bytes as received. The key found last is compared first (a
    /// client signs its requests with one key): no string is built and none hashed for it.
    func verifiableKey(
        _ accessKeyID: UnsafeBufferPointer<UInt8>
    ) -> VerifiableKey? {
        if let recent = recentKey.withLock({ recent in
            recent.flatMap { $0.id.withUnsafeBufferPointer { SigV4Bytes.equal($0, accessKeyID) } ? $0.key : nil }
        }) {
            return recent
        }
        let id = String(decoding: accessKeyID, as: UTF8.self)
        guard let key = verifiableKeys[id] else { return nil }
        recentKey.withLock { $0 = (Array(accessKeyID), key) }
        return key
    }

    /// Parses and validates an auth file.
    public static func parse(_ bytes: [UInt8]) throws(AuthFileError) -> AuthConfiguration {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw AuthFileError(path: "", message: "not valid JSON (at byte \(error.offset))")
        }
        return try parse(document)
    }

    public static func parse(_ document: JSONValue) throws(AuthFileError) -> AuthConfiguration {
        let root = try object(document, path: "", allowed: ["identities"])
        guard case .array(let list)? = root["identities"] else {
            throw AuthFileError(path: "identities", message: "required: an array of identities")
        }
        var identities: [Identity] = []
        var keys: [String: Key] = [:]
        for (index, value) in list.enumerated() {
            let path = "identities[\(index)]"
            let fields = try object(value, path: path, allowed: ["arn", "userId", "keys", "policies"])
            let arn = try string(fields["arn"], path: "\(path).arn")
            let parsedARN = try principal(arn, path: "\(path).arn")
            let userID = try fields["userId"].map { value throws(AuthFileError) in
                try string(value, path: "\(path).userId")
            }
            guard case .array(let keyList)? = fields["keys"], !keyList.isEmpty else {
                throw AuthFileError(path: "\(path).keys", message: "required: a non-empty array of keys")
            }
            for (keyIndex, keyValue) in keyList.enumerated() {
                let keyPath = "\(path).keys[\(keyIndex)]"
                let keyFields = try object(
                    keyValue, path: keyPath, allowed: ["accessKeyId", "secretAccessKey", "sessionToken", "notAfter"])
                let accessKeyID = try string(keyFields["accessKeyId"], path: "\(keyPath).accessKeyId")
                guard accessKeyID.utf8.count >= 16, accessKeyID.utf8.count <= 128,
                    accessKeyID.utf8.allSatisfy({ isAlphanumeric($0) })
                else {
                    throw AuthFileError(
                        path: "\(keyPath).accessKeyId", message: "must be 16 to 128 letters and digits (like AKIA...)")
                }
                guard keys[accessKeyID] == nil else {
                    throw AuthFileError(
                        path: "\(keyPath).accessKeyId", message: "access key id \(accessKeyID) appears more than once")
                }
                let secret = try string(keyFields["secretAccessKey"], path: "\(keyPath).secretAccessKey")
                let token = try keyFields["sessionToken"].map { value throws(AuthFileError) in
                    try string(value, path: "\(keyPath).sessionToken")
                }
                var notAfter: Int64?
                if let value = keyFields["notAfter"] {
                    let text = try string(value, path: "\(keyPath).notAfter")
                    guard let seconds = UTCTimestamp.parseExtended(text[...]) else {
                        throw AuthFileError(
                            path: "\(keyPath).notAfter",
                            message: "must be a UTC time like 2027-01-01T00:00:00Z, got '\(text)'")
                    }
                    notAfter = seconds
                }
                keys[accessKeyID] = Key(
                    credential: SigV4Credential(secretAccessKey: secret, sessionToken: token, notAfter: notAfter),
                    identity: identities.count)
            }
            var policies: [IAMPolicy] = []
            if let policyValue = fields["policies"] {
                guard case .array(let policyList) = policyValue else {
                    throw AuthFileError(path: "\(path).policies", message: "must be an array of policy documents")
                }
                for (policyIndex, document) in policyList.enumerated() {
                    do {
                        policies.append(try IAMPolicy.parse(document))
                    } catch {
                        throw AuthFileError(path: "\(path).policies[\(policyIndex)]", message: error.message)
                    }
                }
            }
            identities.append(
                Identity(
                    arn: arn, accountID: parsedARN.account, userName: parsedARN.userName, userID: userID,
                    policies: policies))
        }
        return AuthConfiguration(identities: identities, keys: keys)
    }

    /// `arn:aws:iam::ACCOUNT:user/path/name` (or `role/...`, `assumed-role/...`, `root`).
    static func principal(_ arn: String, path: String) throws(AuthFileError) -> (account: String, userName: String?) {
        let fields = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", fields[1].hasPrefix("aws"), fields[2] == "iam" || fields[2] == "sts",
            fields[4].utf8.count == 12, fields[4].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), !fields[5].isEmpty
        else {
            throw AuthFileError(
                path: path, message: "must be an IAM principal ARN like arn:aws:iam::111122223333:user/name, got '\(arn)'")
        }
        let resource = fields[5]
        let userName = resource.hasPrefix("user/") ? resource.split(separator: "/").last.map(String.init) : nil
        return (String(fields[4]), userName)
    }

    static func object(_ value: JSONValue, path: String, allowed: Set<String>) throws(AuthFileError)
        -> [String: JSONValue]
    {
        guard case .object(let fields) = value else {
            throw AuthFileError(path: path, message: "must be a JSON object")
        }
        for name in fields.keys.sorted() where !allowed.contains(name) {
            throw AuthFileError(
                path: path.isEmpty ? name : "\(path).\(name)",
                message: "unknown member; expected one of \(allowed.sorted().joined(separator: ", "))")
        }
        return fields
    }

    static func string(_ value: JSONValue?, path: String) throws(AuthFileError) -> String {
        guard case .string(let text)? = value, !text.isEmpty else {
            throw AuthFileError(path: path, message: value == nil ? "required: a non-empty string" : "must be a non-empty string")
        }
        return text
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }
}

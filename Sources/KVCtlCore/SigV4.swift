import Crypto
import Foundation

/// AWS Signature Version 4 as a pure function of the request, credentials and time.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
struct SigV4Signer: Sendable {
    struct Credentials: Sendable, Equatable {
        var accessKeyID: String
        var secretAccessKey: String
        var sessionToken: String?

        init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }

        /// From `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, else dummy
        /// credentials (any are accepted by a local server).
        static func fromEnvironment(_ environment: [String: String]) -> Credentials {
            if let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
                let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
            {
                let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
                return Credentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token)
            }
            return Credentials(accessKeyID: "AKIDKVCTLLOCAL000000", secretAccessKey: "kvctl-local-dummy-secret")
        }
    }

    var credentials: Credentials
    var region: String
    var service: String

    init(credentials: Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to a request: `X-Amz-Date`, `Authorization` and, with temporary
    /// credentials, `X-Amz-Security-Token`.
    ///
    /// - Parameters:
    ///   - headers: every header to sign, including `host`; names in any case.
    ///   - query: the canonical (already encoded, sorted) query string, usually empty.
    func sign(
        method: String, path: String, query: String = "", headers: [String: String], body: [UInt8], date: Date
    ) -> [String: String] {
        let (amzDate, day) = Self.timestamps(date)
        var signed = [String: String]()
        for (name, value) in headers { signed[name.lowercased()] = Self.trimmed(value) }
        signed["x-amz-date"] = amzDate
        if let token = credentials.sessionToken { signed["x-amz-security-token"] = token }
        let names = signed.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(signed[$0] ?? "")\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let canonicalRequest = [
            method, path.isEmpty ? "/" : path, query, canonicalHeaders, signedHeaders, Self.hex(SHA256.hash(data: body)),
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        var result = [
            "X-Amz-Date": amzDate,
            "Authorization":
                "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)",
        ]
        if let token = credentials.sessionToken { result["X-Amz-Security-Token"] = token }
        return result
    }

    /// `20150830T123600Z` and `20150830` in UTC.
    static func timestamps(_ date: Date) -> (String, String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let day = pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2)
        return (day + "T" + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z", day)
    }

    /// Header values: leading/trailing spaces removed, inner runs of spaces collapsed.
    static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

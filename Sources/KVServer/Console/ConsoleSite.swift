public import NIOHTTP1

/// The web console: static pages under `/console` that talk to the DynamoDB API of the same
/// server with `POST /` like any SDK (signing with SigV4 in the browser when auth is on).
///
/// The pages hold no data, so they are served without authentication; everything they show
/// comes from API calls, which are authenticated and authorized as usual. Only `GET` and `HEAD`
/// reach it; any path under `/console/` that is not a file answers 404.
public struct ConsoleSite: Sendable {
    public static let prefix = "/console"

    /// Signature verification is on: the page asks for an access key and signs its requests.
    public var authEnabled: Bool
    /// The region the page signs for.
    public var region: String

    public init(authEnabled: Bool, region: String = "us-east-1") {
        self.authEnabled = authEnabled
        self.region = region
    }

    /// Headers every console answer carries: the page loads only its own scripts and talks
    /// only to this server, and it is never framed (it can submit deletes).
    static let securityHeaders: [(String, String)] = [
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]

    /// Whether `uri` is the console's (`/console`, `/console/...`, with or without a query).
    static func claims(_ uri: String) -> Bool {
        guard uri.hasPrefix(prefix) else { return false }
        let rest = uri.utf8.dropFirst(prefix.utf8.count)
        guard let next = rest.first else { return true }
        return next == UInt8(ascii: "/") || next == UInt8(ascii: "?")
    }

    /// The answer to a `GET`/`HEAD` of a console path; nil when `uri` is not the console's.
    func response(uri: String, ifNoneMatch: String?) -> APIResponse? {
        guard Self.claims(uri) else { return nil }
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var name = String(path.dropFirst(Self.prefix.count))
        if name.hasPrefix("/") { name.removeFirst() }
        if name.isEmpty { name = "index.html" }
        if name == "config.json" { return configResponse() }
        guard let asset = ConsoleAsset.named(name) else {
            return APIResponse(
                status: 404, contentType: "text/plain; charset=utf-8", body: Array("Not found\n".utf8),
                extraHeaders: Self.securityHeaders)
        }
        let headers = Self.securityHeaders + [("ETag", asset.etag), ("Cache-Control", "no-cache")]
        if let ifNoneMatch, Self.matches(ifNoneMatch, etag: asset.etag) {
            return APIResponse(status: 304, contentType: asset.contentType, body: [], extraHeaders: headers)
        }
        return APIResponse(status: 200, contentType: asset.contentType, body: asset.bytes, extraHeaders: headers)
    }

    /// `/console/config.json`: what the page must know before its first API call.
    func configResponse() -> APIResponse {
        // The region comes from the command line (letters, digits and dashes), not from a client.
        let text = "{\"auth\":\(authEnabled),\"region\":\"\(Self.jsonSafe(region))\"}"
        return APIResponse(
            status: 200, contentType: "application/json", body: Array(text.utf8),
            extraHeaders: Self.securityHeaders + [("Cache-Control", "no-store")])
    }

    /// `If-None-Match`: a list of entity tags or `*` (RFC 9110 §13.1.2, weak comparison).
    static func matches(_ header: String, etag: String) -> Bool {
        for candidate in header.split(separator: ",") {
            var tag = candidate.trimmingASCIIWhitespace()
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            if tag == etag { return true }
        }
        return false
    }

    /// Keeps only characters that need no escaping inside a JSON string.
    static func jsonSafe(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.filter { scalar in
                    let value = scalar.value
                    return (48...57).contains(value) || (65...90).contains(value) || (97...122).contains(value) || value == 45
                }))
    }
}

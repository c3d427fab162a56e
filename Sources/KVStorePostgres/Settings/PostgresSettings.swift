#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where the PostgreSQL backend connects: parsed from `postgres://USER@HOST[:PORT]/DATABASE`
/// (the value of `--storage` / `KVSERVER_STORAGE`).
///
/// The password never comes from the URL (a command line is visible to every local user in
/// `ps`): it is read from the file named by the `password_file` query parameter, else from the
/// `PGPASSWORD` environment variable, else there is none (trust or certificate authentication).
/// Query parameters: `password_file=PATH`, `sslmode=disable|prefer|require` (default `prefer`,
/// as libpq; `require` verifies the server's certificate and name), `pool_size=N` (connections
/// per kvserver, default 20).
public struct PostgresSettings: Sendable, Equatable, CustomStringConvertible {
    /// Whether the connection is encrypted (libpq's `sslmode` names).
    public enum TLSMode: String, Sendable, Equatable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String?
    public var tls: TLSMode
    public var poolSize: Int

    public init(
        host: String, port: Int = 5432, user: String, database: String, password: String? = nil,
        tls: TLSMode = .prefer, poolSize: Int = 20
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.password = password
        self.tls = tls
        self.poolSize = poolSize
    }

    /// The URL form without the password (for logs and error messages).
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(hostPart):\(port)/\(database)"
            + (password == nil ? "" : " (with password)")
    }

    /// Whether `text` names the PostgreSQL backend rather than a SQLite file.
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `postgres://USER@HOST[:PORT]/DATABASE[?password_file=PATH&sslmode=MODE&pool_size=N]`.
    ///
    /// - Parameters:
    ///   - environment: where `PGPASSWORD` is looked up (the process environment in kvserver).
    ///   - readFile: reads the password file (injected so tests need no files).
    public static func parse(
        _ url: String,
        environment: [String: String] = [:],
        readFile: (String) throws -> String = PostgresSettings.readPasswordFile
    ) throws(PostgresSettingsError) -> PostgresSettings {
        var rest = Substring(url)
        if rest.hasPrefix("postgres://") {
            rest = rest.dropFirst("postgres://".count)
        } else if rest.hasPrefix("postgresql://") {
            rest = rest.dropFirst("postgresql://".count)
        } else {
            throw PostgresSettingsError("The storage URL must start with postgres:// (postgres://USER@HOST:PORT/DATABASE).")
        }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw PostgresSettingsError("The storage URL names no database: postgres://USER@HOST:PORT/DATABASE.")
        }
        let authority = rest[..<slash]
        let database = try percentDecoded(rest[rest.index(after: slash)...], what: "database name")
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresSettingsError("The storage URL names no database: postgres://USER@HOST:PORT/DATABASE.")
        }
        guard let at = authority.lastIndex(of: "@") else {
            throw PostgresSettingsError("The storage URL names no user: postgres://USER@HOST:PORT/DATABASE.")
        }
        let userInfo = authority[..<at]
        if userInfo.contains(":") {
            throw PostgresSettingsError(
                "The storage URL must not contain a password (it would be visible in the process list): use PGPASSWORD or ?password_file=PATH.")
        }
        let user = try percentDecoded(userInfo, what: "user name")
        guard !user.isEmpty else {
            throw PostgresSettingsError("The storage URL names no user: postgres://USER@HOST:PORT/DATABASE.")
        }
        let (host, port) = try hostAndPort(authority[authority.index(after: at)...])
        var settings = PostgresSettings(host: host, port: port, user: user, database: database)
        var passwordFile: String?
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = try percentDecoded(parts.count > 1 ? parts[1] : "", what: "\(name) value")
            switch name {
            case "password_file":
                guard !value.isEmpty else { throw PostgresSettingsError("password_file is empty.") }
                passwordFile = value
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw PostgresSettingsError("sslmode must be disable, prefer or require, not '\(value)'.")
                }
                settings.tls = mode
            case "pool_size":
                guard let size = Int(value), (1...1000).contains(size) else {
                    throw PostgresSettingsError("pool_size must be a whole number from 1 to 1000, not '\(value)'.")
                }
                settings.poolSize = size
            default:
                throw PostgresSettingsError(
                    "Unknown storage URL parameter '\(name)' (known: password_file, sslmode, pool_size).")
            }
        }
        if let passwordFile {
            let text: String
            do {
                text = try readFile(passwordFile)
            } catch {
                throw PostgresSettingsError("Cannot read the password file \(passwordFile): \(error)")
            }
            // One trailing line break is the file's, not the password's.
            var password = Substring(text)
            if password.hasSuffix("\n") { password = password.dropLast() }
            if password.hasSuffix("\r") { password = password.dropLast() }
            guard !password.isEmpty else {
                throw PostgresSettingsError("The password file \(passwordFile) is empty.")
            }
            settings.password = String(password)
        } else if let password = environment["PGPASSWORD"], !password.isEmpty {
            settings.password = password
        }
        return settings
    }

    /// Reads a whole file as UTF-8 (the default `readFile` of `parse`).
    public static func readPasswordFile(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PostgresSettingsError("no such readable file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PostgresSettingsError("not UTF-8 text")
        }
        return text
    }

    private static func hostAndPort(_ text: Substring) throws(PostgresSettingsError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            // [IPv6]:port
            guard let close = text.firstIndex(of: "]") else {
                throw PostgresSettingsError("The storage URL's host '\(text)' has no closing ']'.")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw PostgresSettingsError("The storage URL's host '\(text)' is not HOST or HOST:PORT.")
                }
                portText = after.dropFirst()
            }
        } else if let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        guard !host.isEmpty else {
            throw PostgresSettingsError("The storage URL names no host: postgres://USER@HOST:PORT/DATABASE.")
        }
        var port = 5432
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value), portText.allSatisfy(\.isASCII) else {
                throw PostgresSettingsError("The storage URL's port must be a number from 1 to 65535, not '\(portText)'.")
            }
            port = value
        }
        return (String(host), port)
    }

    /// `%XX` escapes decoded (so that user and database names may hold any character).
    private static func percentDecoded(_ text: Substring, what: String) throws(PostgresSettingsError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.popFirst().flatMap(hexValue), let low = utf8.popFirst().flatMap(hexValue) else {
                throw PostgresSettingsError("The storage URL's \(what) has a bad %-escape.")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw PostgresSettingsError("The storage URL's \(what) is not UTF-8 after %-decoding.")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

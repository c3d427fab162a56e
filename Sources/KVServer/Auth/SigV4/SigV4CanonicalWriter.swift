/// Where SigV4's canonical forms are written: bytes collected (the signer's strings) or hashed
/// as they come (the verifier, which never holds the canonical request whole).
protocol SigV4ByteSink {
    mutating func write(_ bytes: UnsafeRawBufferPointer)
    mutating func write(byte: UInt8)
}

/// Collects the bytes written.
struct ByteArraySink: SigV4ByteSink {
    var bytes: [UInt8] = []

    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        self.bytes.append(contentsOf: bytes)
    }

    mutating func write(byte: UInt8) {
        bytes.append(byte)
    }
}

/// Writes SigV4's canonical request and string to sign as bytes into a sink, so that the
/// verifier hashes them without building intermediate strings (it runs on every request when
/// signatures are verified). The `String` functions of `SigV4` are built on it: one
/// canonicalisation for the signer and the verifier.
struct SigV4CanonicalWriter<Sink: SigV4ByteSink> {
    var sink: Sink

    init(sink: Sink) {
        self.sink = sink
    }

    @inline(__always)
    mutating func append<S: Sequence>(_ part: S) where S.Element == UInt8 {
        // String and Substring views are contiguous: copy them in one go, not byte by byte.
        if part.withContiguousStorageIfAvailable({ sink.write(UnsafeRawBufferPointer($0)) }) == nil {
            for byte in part { sink.write(byte: byte) }
        }
    }

    /// ASCII letters lowercased (header names as the canonical request has them).
    mutating func appendLowercased(_ part: UnsafeBufferPointer<UInt8>) {
        // The SDKs send lowercase names: copy them whole.
        guard SigV4Bytes.hasUppercase(part) else {
            sink.write(UnsafeRawBufferPointer(part))
            return
        }
        for byte in part { sink.write(byte: SigV4Bytes.lowercased(byte)) }
    }

    /// A constant's bytes.
    @inline(__always)
    mutating func append(_ text: StaticString) {
        sink.write(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Bytes as they are.
    @inline(__always)
    mutating func append(_ part: UnsafeBufferPointer<UInt8>) {
        sink.write(UnsafeRawBufferPointer(part))
    }

    /// The canonical request, the one layout for the signer and the verifier:
    /// `METHOD\nPATH\nQUERY\nname:value\n...\n\nsigned;header;names\nPAYLOADHASH`.
    ///
    /// - Parameters:
    ///   - path: writes the canonical URI.
    ///   - headers: writes `name:value\n` for each signed header, in the order of `signedHeaders`.
    ///   - signedHeaders: the `;`-separated names (lowercased as written).
    ///   - lowercaseSignedHeaders: the caller knows `signedHeaders` has no capital (the verifier,
    ///     when every name is one it keeps): copied without looking.
    mutating func appendCanonicalRequest(
        method: String, path: (inout Self) -> Void, query: String, headers: (inout Self) -> Void,
        signedHeaders: UnsafeBufferPointer<UInt8>, lowercaseSignedHeaders: Bool = false,
        payloadHash: UnsafeRawBufferPointer
    ) {
        append(method.utf8)
        newline()
        path(&self)
        newline()
        append(query.utf8)
        newline()
        headers(&self)
        newline()
        if lowercaseSignedHeaders { append(signedHeaders) } else { appendLowercased(signedHeaders) }
        newline()
        sink.write(payloadHash)
    }

    /// `AWS4-HMAC-SHA256\nAMZDATE\nSCOPE\nhex(sha256(canonical request))`.
    mutating func appendStringToSign(
        amzDate: String, scope: UnsafeBufferPointer<UInt8>, canonicalRequestHash: SHA256Value
    ) {
        append(SigV4.algorithm.utf8)
        newline()
        append(amzDate.utf8)
        newline()
        append(scope)
        newline()
        appendHex(canonicalRequestHash)
    }

    @inline(__always)
    mutating func newline() {
        sink.write(byte: UInt8(ascii: "\n"))
    }

    /// A header value as SigV4 canonicalises it: leading and trailing blanks removed, inner
    /// runs of blanks collapsed to one space.
    mutating func appendHeaderValue<C: Collection>(_ value: C) where C.Element == UInt8 {
        if let done: Void = value.withContiguousStorageIfAvailable({ appendHeaderValue($0) }) {
            return done
        }
        let copy = Array(value)
        copy.withUnsafeBufferPointer { appendHeaderValue($0) }
    }

    mutating func appendHeaderValue(_ value: UnsafeBufferPointer<UInt8>) {
        // Most values have no blank to trim or collapse: copy them whole.
        if SigV4Bytes.allAboveSpace(value)
            || ((value.first.map { !Self.isBlank($0) } ?? false) && !Self.needsCollapsing(value))
        {
            append(value)
            return
        }
        var pendingSpace = false
        var wroteAny = false
        for byte in value {
            if Self.isBlank(byte) {
                pendingSpace = wroteAny
                continue
            }
            if pendingSpace {
                sink.write(byte: UInt8(ascii: " "))
                pendingSpace = false
            }
            sink.write(byte: byte)
            wroteAny = true
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// A tab, two blanks in a row, or a blank at the end.
    private static func needsCollapsing(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        var previousBlank = false
        for byte in value {
            if byte == UInt8(ascii: "\t") || (byte == UInt8(ascii: " ") && previousBlank) { return true }
            previousBlank = byte == UInt8(ascii: " ")
        }
        return previousBlank
    }

    /// The canonical URI of a path as received (already percent-encoded): every byte outside
    /// RFC 3986's unreserved set and `/` is percent-encoded again, as every service but S3
    /// does (so `%` becomes `%25`); an empty path is `/`.
    mutating func appendCanonicalPath(_ rawPath: Substring.UTF8View) {
        if rawPath.isEmpty {
            sink.write(byte: UInt8(ascii: "/"))
        } else {
            appendURIEncoded(rawPath, keepSlash: true)
        }
    }

    /// Percent-encodes every byte but `A-Z a-z 0-9 - _ . ~` (and `/` when `keepSlash`).
    mutating func appendURIEncoded<C: Sequence>(_ source: C, keepSlash: Bool) where C.Element == UInt8 {
        for byte in source {
            if Self.isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                sink.write(byte: byte)
            } else {
                sink.write(byte: UInt8(ascii: "%"))
                sink.write(byte: Self.upperHexDigit(byte >> 4))
                sink.write(byte: Self.upperHexDigit(byte & 0xF))
            }
        }
    }

    /// Lowercase hex of a digest.
    mutating func appendHex(_ digest: SHA256Value) {
        digest.hex.withUnsafeBytes { sink.write($0) }
    }

    /// Lowercase hex of bytes.
    mutating func appendHex<D: Sequence>(_ digest: D) where D.Element == UInt8 {
        for byte in digest {
            sink.write(byte: HexDigest.digit(byte >> 4))
            sink.write(byte: HexDigest.digit(byte & 0xF))
        }
    }

    private static func upperHexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "A") &+ (nibble &- 10)
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }
}

extension SigV4CanonicalWriter where Sink == ByteArraySink {
    init(capacity: Int = 512) {
        var sink = ByteArraySink()
        sink.bytes.reserveCapacity(capacity)
        self.init(sink: sink)
    }

    var bytes: [UInt8] { sink.bytes }
}

/// A writer collecting bytes (the signer's canonical strings).
typealias SigV4ByteWriter = SigV4CanonicalWriter<ByteArraySink>

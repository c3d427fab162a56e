import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The MD5 of an export's files, as S3 and DynamoDB's manifests give them: `md5` (base64, the
/// `Content-MD5` form), `etag` (hex, a single-part upload's ETag) and the `.checksum` files.
/// MD5 here is a transfer checksum, as in S3, not a security measure.
struct FileDigest {
    let bytes: [UInt8]

    init(of data: [UInt8]) {
        bytes = Array(Insecure.MD5.hash(data: data))
    }

    init(ofFile path: String) throws {
        guard let file = fopen(path, "rb") else { throw KVError.internalError("Cannot read an export file") }
        defer { fclose(file) }
        var hasher = Insecure.MD5()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let read = buffer.withUnsafeMutableBytes { raw in fread(raw.baseAddress, 1, raw.count, file) }
            if read == 0 { break }
            hasher.update(data: buffer[0..<read])
        }
        guard ferror(file) == 0 else { throw KVError.internalError("Cannot read an export file") }
        bytes = Array(hasher.finalize())
    }

    var base64: String { Base64.encode(bytes) }

    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]] }
        return String(decoding: text, as: UTF8.self)
    }
}

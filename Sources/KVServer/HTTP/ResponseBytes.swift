import NIOCore
import NIOHTTP1

/// An HTTP/1.1 response, head and body, written straight into one buffer.
///
/// NIO's `HTTPResponseEncoder` takes an `HTTPResponseHead` (a header array of Strings), checks
/// every header name and value, and writes head and body as separate buffers. Our responses carry
/// only headers we compose from known-safe values (numbers, fixed names, our request ids, header
/// values the request parser already accepted), so building the bytes here saves those steps
/// and hands the kernel one contiguous buffer per response.
struct ResponseBytes {
    private(set) var buffer: ByteBuffer

    /// - Parameter bodyCapacity: the body size, to size the buffer once.
    init(allocator: ByteBufferAllocator, version: HTTPVersion, status: HTTPResponseStatus, bodyCapacity: Int) {
        buffer = allocator.buffer(capacity: 256 + bodyCapacity)
        if version == .http1_1 && status == .ok {
            buffer.writeStaticString("HTTP/1.1 200 OK\r\n")
            return
        }
        buffer.writeStaticString("HTTP/")
        buffer.writeString(String(version.major))
        buffer.writeStaticString(".")
        buffer.writeString(String(version.minor))
        buffer.writeStaticString(" ")
        buffer.writeString(String(status.code))
        buffer.writeStaticString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
    }

    mutating func header(_ name: StaticString, _ value: String) {
        var value = value
        value.withUTF8 { line(name, $0) }
    }

    mutating func header(_ name: StaticString, _ value: some BinaryInteger) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { digits in
            let count = Self.decimal(value, into: digits)
            line(name, UnsafeBufferPointer(rebasing: digits[(21 - count)...]))
        }
    }

    /// A header whose name is not a literal (extra headers of a response).
    mutating func header(name: String, value: String) {
        var name = name
        var value = value
        name.withUTF8 { name in
            value.withUTF8 { line(name, $0) }
        }
    }

    /// `name: value\r\n` in one copy into the buffer: a response has six or more headers, and
    /// four separate writes each cost NIO's capacity and uniqueness checks again.
    private mutating func line(_ name: StaticString, _ value: UnsafeBufferPointer<UInt8>) {
        line(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), value)
    }

    private mutating func line(_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) {
        let count = name.count + value.count + 4
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
            guard target.count >= count else { return 0 }
            var offset = 0
            func copy(_ bytes: UnsafeBufferPointer<UInt8>) {
                guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
                target.baseAddress?.advanced(by: offset).copyMemory(from: base, byteCount: bytes.count)
                offset += bytes.count
            }
            copy(name)
            target[offset] = UInt8(ascii: ":")
            target[offset + 1] = UInt8(ascii: " ")
            offset += 2
            copy(value)
            target[offset] = UInt8(ascii: "\r")
            target[offset + 1] = UInt8(ascii: "\n")
            return count
        }
    }

    /// Ends the head; `body` follows unless nil (a response to HEAD has none).
    mutating func finish(body: [UInt8]?) -> ByteBuffer {
        buffer.writeStaticString("\r\n")
        if let body, !body.isEmpty {
            buffer.writeBytes(body)
        }
        return buffer
    }

    /// Decimal digits without going through `String`.
    static func writeDecimal(_ value: some BinaryInteger, into buffer: inout ByteBuffer) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { digits in
            let count = decimal(value, into: digits)
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: digits[(21 - count)...])))
        }
    }

    /// Writes `value`'s decimal digits (and sign) at the end of `digits` (21 bytes: a sign and
    /// UInt64.max's 20 digits); returns how many.
    private static func decimal(_ value: some BinaryInteger, into digits: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard value != 0 else {
            digits[20] = UInt8(ascii: "0")
            return 1
        }
        var magnitude = UInt64(truncatingIfNeeded: value.magnitude)
        var count = 0
        while magnitude > 0 && count < 20 {
            digits[20 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            count += 1
        }
        if value < 0 {
            digits[20 - count] = UInt8(ascii: "-")
            count += 1
        }
        return count
    }
}

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
        buffer.writeStaticString(name)
        buffer.writeStaticString(": ")
        buffer.writeString(value)
        buffer.writeStaticString("\r\n")
    }

    mutating func header(_ name: StaticString, _ value: some BinaryInteger) {
        buffer.writeStaticString(name)
        buffer.writeStaticString(": ")
        Self.writeDecimal(value, into: &buffer)
        buffer.writeStaticString("\r\n")
    }

    /// A header whose name is not a literal (extra headers of a response).
    mutating func header(name: String, value: String) {
        buffer.writeString(name)
        buffer.writeStaticString(": ")
        buffer.writeString(value)
        buffer.writeStaticString("\r\n")
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
        guard value != 0 else {
            buffer.writeInteger(UInt8(ascii: "0"))
            return
        }
        var magnitude = UInt64(truncatingIfNeeded: value.magnitude)
        if value < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
        // UInt64.max has 20 digits.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            while magnitude > 0 && count < 20 {
                digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: digits[(20 - count)...])))
        }
    }
}

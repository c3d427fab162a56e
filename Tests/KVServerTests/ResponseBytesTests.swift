import NIOCore
import NIOHTTP1
import Testing

@testable import KVServer

@Suite("Response bytes")
struct ResponseBytesTests {
    @Test func decimalDigits() {
        for value in [0, 7, 10, 99, 100, 4_294_967_295, Int.max, Int.min + 1, Int.min, -42] {
            var buffer = ByteBuffer()
            ResponseBytes.writeDecimal(value, into: &buffer)
            #expect(buffer.readString(length: buffer.readableBytes) == String(value))
        }
        var buffer = ByteBuffer()
        ResponseBytes.writeDecimal(UInt32.max, into: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == "4294967295")
    }

    @Test func headAndBodyInOneBuffer() {
        var response = ResponseBytes(
            allocator: ByteBufferAllocator(), version: .http1_1, status: .ok, bodyCapacity: 2)
        response.header("x-amz-crc32", UInt32(2_745_614_147))
        response.header("Content-Length", 2)
        response.header(name: "Access-Control-Max-Age", value: "172800")
        var buffer = response.finish(body: Array("{}".utf8))
        let text = buffer.readString(length: buffer.readableBytes)
        #expect(
            text == "HTTP/1.1 200 OK\r\nx-amz-crc32: 2745614147\r\nContent-Length: 2\r\n"
                + "Access-Control-Max-Age: 172800\r\n\r\n{}")
    }

    /// Each header is one copy into the buffer: empty values, non-ASCII bytes, negative numbers
    /// and a line longer than the buffer's reserve all come out whole.
    @Test func headerLinesOfEveryKind() {
        var response = ResponseBytes(
            allocator: ByteBufferAllocator(), version: .http1_1, status: .ok, bodyCapacity: 0)
        let long = String(repeating: "v", count: 3000)
        response.header("Server", "")
        response.header("x-amzn-RequestId", "é1")
        response.header("x-offset", -12)
        response.header(name: "x-long", value: long)
        response.header("Content-Length", 0)
        var buffer = response.finish(body: nil)
        #expect(
            buffer.readString(length: buffer.readableBytes)
                == "HTTP/1.1 200 OK\r\nServer: \r\nx-amzn-RequestId: é1\r\nx-offset: -12\r\nx-long: \(long)\r\n"
                + "Content-Length: 0\r\n\r\n")
    }

    @Test func noBodyForHead() {
        var response = ResponseBytes(
            allocator: ByteBufferAllocator(), version: .http1_0, status: .notFound, bodyCapacity: 0)
        response.header("Content-Length", 29)
        var buffer = response.finish(body: nil)
        #expect(buffer.readString(length: buffer.readableBytes) == "HTTP/1.0 404 Not Found\r\nContent-Length: 29\r\n\r\n")
    }
}

@Suite("Authorization prefix")
struct AuthorizationPrefixTests {
    @Test func aws4PrefixAfterBlanks() {
        #expect(AcceptAnyCredentialsAuthenticator.startsWithAWS4("AWS4-HMAC-SHA256 Credential=x"))
        #expect(AcceptAnyCredentialsAuthenticator.startsWithAWS4(" \tAWS4-HMAC-SHA256"))
        #expect(!AcceptAnyCredentialsAuthenticator.startsWithAWS4("AWS4"))
        #expect(!AcceptAnyCredentialsAuthenticator.startsWithAWS4("aws4-hmac-sha256"))
        #expect(!AcceptAnyCredentialsAuthenticator.startsWithAWS4("Basic abc"))
        #expect(!AcceptAnyCredentialsAuthenticator.startsWithAWS4(""))
    }
}

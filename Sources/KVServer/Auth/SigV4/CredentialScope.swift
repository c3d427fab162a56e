/// The five `/`-separated parts of a SigV4 credential, `KEYID/DAY/REGION/SERVICE/aws4_request`,
/// as byte ranges of the `Authorization` header (the verifier reads them on every request).
struct CredentialScope {
    var accessKeyID: Range<Int>
    var day: Range<Int>
    var region: Range<Int>
    var service: Range<Int>
    var terminator: Range<Int>

    /// Nil unless there are exactly five parts (empty parts count).
    init?(_ credential: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) {
        // The four slashes (found with `memchr`); a fifth makes the credential wrong.
        guard credential.lowerBound >= 0, credential.upperBound <= bytes.count else { return nil }
        let within = UnsafeBufferPointer(rebasing: bytes[..<credential.upperBound])
        func slash(after index: Int) -> Int? {
            SigV4Bytes.firstIndex(of: UInt8(ascii: "/"), in: within, from: index)
        }
        guard let first = slash(after: credential.lowerBound), let second = slash(after: first + 1),
            let third = slash(after: second + 1), let fourth = slash(after: third + 1), slash(after: fourth + 1) == nil
        else { return nil }
        let slashes = (first, second, third, fourth)
        accessKeyID = credential.lowerBound..<slashes.0
        day = (slashes.0 + 1)..<slashes.1
        region = (slashes.1 + 1)..<slashes.2
        service = (slashes.2 + 1)..<slashes.3
        terminator = (slashes.3 + 1)..<credential.upperBound
    }
}

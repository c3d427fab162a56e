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
        // The four slashes; a fifth already makes the credential wrong.
        var slashes = (0, 0, 0, 0)
        var found = 0
        for index in credential where bytes[index] == UInt8(ascii: "/") {
            switch found {
            case 0: slashes.0 = index
            case 1: slashes.1 = index
            case 2: slashes.2 = index
            case 3: slashes.3 = index
            default: return nil
            }
            found += 1
        }
        guard found == 4 else { return nil }
        accessKeyID = credential.lowerBound..<slashes.0
        day = (slashes.0 + 1)..<slashes.1
        region = (slashes.1 + 1)..<slashes.2
        service = (slashes.2 + 1)..<slashes.3
        terminator = (slashes.3 + 1)..<credential.upperBound
    }
}

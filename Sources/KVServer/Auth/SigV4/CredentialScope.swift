/// The five `/`-separated parts of a SigV4 credential: `KEYID/DAY/REGION/SERVICE/aws4_request`,
/// found in place (the verifier reads them on every request).
struct CredentialScope {
    var accessKeyID: Substring
    var day: Substring
    var region: Substring
    var service: Substring
    var terminator: Substring

    /// Nil unless there are exactly five parts (empty parts count).
    init?(_ credential: Substring) {
        // Byte offsets of the four slashes; a fifth already makes the credential wrong.
        var slashes = (0, 0, 0, 0)
        let found = SigV4Bytes.with(credential) { bytes in
            var found = 0
            for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "/") {
                switch found {
                case 0: slashes.0 = index
                case 1: slashes.1 = index
                case 2: slashes.2 = index
                case 3: slashes.3 = index
                default: return 5
                }
                found += 1
            }
            return found
        }
        guard found == 4 else { return nil }
        let utf8 = credential.utf8
        func part(_ from: Int, _ to: Int) -> Substring {
            Substring(utf8[utf8.index(utf8.startIndex, offsetBy: from)..<utf8.index(utf8.startIndex, offsetBy: to)])
        }
        accessKeyID = part(0, slashes.0)
        day = part(slashes.0 + 1, slashes.1)
        region = part(slashes.1 + 1, slashes.2)
        service = part(slashes.2 + 1, slashes.3)
        terminator = part(slashes.3 + 1, utf8.count)
    }
}

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
        let utf8 = credential.utf8
        // Four slashes are wanted; a fifth already makes the credential wrong.
        var index = utf8.startIndex
        var found = 0
        var positions = (utf8.startIndex, utf8.startIndex, utf8.startIndex, utf8.startIndex)
        while index != utf8.endIndex {
            if utf8[index] == UInt8(ascii: "/") {
                switch found {
                case 0: positions.0 = index
                case 1: positions.1 = index
                case 2: positions.2 = index
                case 3: positions.3 = index
                default: return nil
                }
                found += 1
            }
            index = utf8.index(after: index)
        }
        guard found == 4 else { return nil }
        func part(_ from: String.Index, _ to: String.Index) -> Substring {
            Substring(utf8[from..<to])
        }
        accessKeyID = part(utf8.startIndex, positions.0)
        day = part(utf8.index(after: positions.0), positions.1)
        region = part(utf8.index(after: positions.1), positions.2)
        service = part(utf8.index(after: positions.2), positions.3)
        terminator = part(utf8.index(after: positions.3), utf8.endIndex)
    }
}

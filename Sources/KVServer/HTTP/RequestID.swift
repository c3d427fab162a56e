/// Request ids in DynamoDB's shape: 52 characters of `[0-9A-Z]`, sent as `x-amzn-RequestId`.
enum RequestID {
    static let length = 52
    private static let alphabet: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }

    static func make(using generator: inout some RandomNumberGenerator) -> String {
        String(unsafeUninitializedCapacity: length) { buffer in
            var filled = 0
            while filled < length {
                // 36^12 < 2^64: twelve base-36 digits per random word (the slight bias is harmless).
                var word = generator.next()
                var digits = 0
                while digits < 12 && filled < length {
                    buffer[filled] = alphabet[Int(word % 36)]
                    word /= 36
                    digits += 1
                    filled += 1
                }
            }
            return length
        }
    }
}

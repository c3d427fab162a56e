/// Which coding, if any, to compress a response with, from the request's `Accept-Encoding`
/// header lines (RFC 9110 section 12.5.3).
///
/// - Every line counts (a field sent several times is one comma-separated list).
/// - `q=0` refuses a coding; the highest q-value wins, `gzip` before `deflate` on a tie.
/// - `*` stands for any coding the list does not name.
/// - `identity` named with a higher q-value than every compressed coding keeps the body as is;
///   so does a list naming no coding we write, or no header at all.
enum AcceptEncoding {
    static func preferredCoding(_ lines: [String]) -> ContentCoding? {
        // `identity` alone (what Python's http.client sends) names no coding: skip the parse.
        if lines.count == 1, lines[0] == "identity" { return nil }
        var named: [String: Double] = [:]
        for line in lines {
            for element in line.split(separator: ",") {
                let parts = element.split(separator: ";")
                guard let first = parts.first else { continue }
                let name = first.trimmingASCIIWhitespace().lowercased()
                guard !name.isEmpty else { continue }
                var quality = 1.0
                for parameter in parts.dropFirst() {
                    let pair = parameter.split(separator: "=", maxSplits: 1)
                    guard pair.count == 2, pair[0].trimmingASCIIWhitespace().lowercased() == "q" else { continue }
                    guard let value = Double(pair[1].trimmingASCIIWhitespace()), value >= 0, value <= 1 else {
                        quality = 0  // an unreadable weight: do not risk a coding the client may not take
                        continue
                    }
                    quality = value
                }
                // The first mention of a coding counts, as most servers read the list.
                let key = name == "x-gzip" ? "gzip" : name
                if named[key] == nil { named[key] = quality }
            }
        }
        let wildcard = named["*"]
        var best: (coding: ContentCoding, quality: Double)?
        for coding in ContentCoding.allCases {
            guard let quality = named[coding.rawValue] ?? wildcard, quality > 0 else { continue }
            if let current = best, current.quality >= quality { continue }
            best = (coding, quality)
        }
        guard let best else { return nil }
        if let identity = named["identity"], identity > best.quality { return nil }
        return best.coding
    }
}

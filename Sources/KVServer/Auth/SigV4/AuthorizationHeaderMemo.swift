import Synchronization

/// What the verifier read from the last `Authorization` header that verified, remembered for
/// the next request of the same client: its header repeats byte for byte but for the
/// signature, which the SDKs write last (`..., Signature=<64 hex digits>`). Scanning the header,
/// splitting and checking its credential scope and scanning its signed names were about 1,800
/// instructions per verified request (Scripts/bench/callgrind_auth.py); comparing the header
/// with the one remembered is about 100.
///
/// Only a header that passed every check that reads the header alone is remembered, with the
/// request's time header kind and service (which those checks read too); the checks that read
/// the request's time or anything else run on every request. A header is the remembered one
/// when it has the same length, the same bytes up to its last 64, and no blank or comma among
/// those 64: then its scan finds the same parts at the same places (the 64 are the whole
/// `Signature` value, as they were in the header remembered; a name compared across them
/// would have to span the separator before `Signature=`, which none of the names holds).
/// One entry (a client repeats its header; another client's replaces it). Belongs to a
/// `SigningKeyCache`, so to one loaded auth configuration.
final class AuthorizationHeaderMemo: Sendable {
    /// The signature's hex digits, always the header's last bytes when it is remembered.
    static let signatureLength = 64
    /// Longer headers are not remembered (the SDKs' are about 150 bytes before the signature).
    static let capacity = 512

    /// The header's parts, as the verifier would find them again. A class: handing a hit on
    /// costs a reference count, where copying the value out cost seven `memcpy` calls.
    final class Parsed: Sendable {
        let parts: SigV4AuthorizationHeader
        /// The signed names, scanned as if no kept header came twice (the caller clears
        /// `allKnown` when one did).
        let signed: SigV4Verifier.SignedNameScan
        /// The credential without trailing slashes, and its scope.
        let credential: Range<Int>
        let scope: CredentialScope
        /// The scope's signing key from the configuration's cache.
        let signingKey: SigningKeyCache.SigningKey

        init(
            parts: SigV4AuthorizationHeader, signed: SigV4Verifier.SignedNameScan, credential: Range<Int>,
            scope: CredentialScope, signingKey: SigningKeyCache.SigningKey
        ) {
            self.parts = parts
            self.signed = signed
            self.credential = credential
            self.scope = scope
            self.signingKey = signingKey
        }
    }

    private struct Entry {
        /// The header's bytes before the signature (capacity kept from entry to entry).
        var prefix: [UInt8] = []
        var count = 0
        var amzDate = false
        var service = ""
        var parsed: Parsed?
    }

    private let entry = Mutex(Entry())

    /// The parts of `header`, if it is the header remembered (see the type) and was read with
    /// the same kind of time header and for the same service.
    func parsed(_ header: UnsafeBufferPointer<UInt8>, amzDate: Bool, service: String) -> Parsed? {
        let signatureStart = header.count &- Self.signatureLength
        guard signatureStart > 0, let base = header.baseAddress,
            !Self.hasSeparator(UnsafeRawPointer(base + signatureStart))
        else { return nil }
        let prefix = UnsafeBufferPointer(rebasing: header[..<signatureStart])
        // Compared under the lock (the entry's bytes are replaced in place).
        return entry.withLock { entry in
            guard let parsed = entry.parsed, entry.count == header.count, entry.amzDate == amzDate,
                entry.service == service,
                entry.prefix.withUnsafeBufferPointer({ SigV4Bytes.equal($0, prefix) })
            else { return nil }
            return parsed
        }
    }

    /// Remembers a header that verified, if its signature is its last 64 bytes.
    func remember(_ header: UnsafeBufferPointer<UInt8>, amzDate: Bool, service: String, parsed: Parsed) {
        let signatureStart = header.count &- Self.signatureLength
        guard let signature = parsed.parts.signature, signature == signatureStart..<header.count, signatureStart > 0,
            signatureStart <= Self.capacity, let base = header.baseAddress, !Self.hasSeparator(UnsafeRawPointer(base + signatureStart))
        else { return }
        let prefix = UnsafeBufferPointer(rebasing: header[..<signatureStart])
        entry.withLock { entry in
            entry.prefix.removeAll(keepingCapacity: true)
            entry.prefix.append(contentsOf: prefix)
            entry.count = header.count
            entry.amzDate = amzDate
            entry.service = service
            entry.parsed = parsed
        }
    }

    /// Whether one of the 64 bytes at `bytes` is at or below `,` (every separator the header's
    /// scan knows is: blank, tab, comma), eight at a time: `(word - 0x2D…) & ~word & 0x80…` is
    /// non-zero exactly when some byte of `word` is below 0x2D (as `SigV4AuthorizationHeader`
    /// skips values).
    private static func hasSeparator(_ bytes: UnsafeRawPointer) -> Bool {
        var found: UInt64 = 0
        var offset = 0
        while offset < signatureLength {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            found |= (word &- 0x2D2D_2D2D_2D2D_2D2D) & ~word & 0x8080_8080_8080_8080
            offset &+= 8
        }
        return found != 0
    }
}

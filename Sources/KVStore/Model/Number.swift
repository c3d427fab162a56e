/// An exact DynamoDB number: up to 38 significant digits, magnitude 1E-130 ..< 1E+126, or zero.
///
/// The value is `±coefficient × 10^exponent`, held in canonical form so that equal
/// values have identical stored properties (and so the synthesized `==` and
/// `hash(into:)` are by value: `1e3 == 1000 == 1000.00`):
///
/// - the coefficient has no trailing decimal zeros and at most 38 digits, and is
///   kept in base 10^19 as `high × 10^19 + low`;
/// - zero is the coefficient 0 with exponent 0 and is never negative (`-0` is `0`).
///
/// Parsing, formatting, comparison and arithmetic use only integer operations on
/// the two 64-bit limbs: no Foundation, and no allocation except for the text and
/// byte arrays handed back to the caller.
public struct Number: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The coefficient's digits above the lowest 19 (always < 10^19).
    private let high: UInt64
    /// The coefficient's lowest 19 digits (always < 10^19).
    private let low: UInt64
    /// The decimal exponent of the coefficient's last digit.
    private let exponent: Int16
    /// Number of digits in the coefficient: 1...38, or 0 for zero.
    private let digitCount: UInt8
    /// The sign; always `false` for zero.
    public let isNegative: Bool

    /// Canonical zero.
    public static let zero = Number(high: 0, low: 0, exponent: 0, digitCount: 0, isNegative: false)

    public var isZero: Bool { digitCount == 0 }

    private init(high: UInt64, low: UInt64, exponent: Int, digitCount: Int, isNegative: Bool) {
        self.high = high
        self.low = low
        self.exponent = Int16(exponent)
        self.digitCount = UInt8(digitCount)
        self.isNegative = isNegative && digitCount > 0
    }

    // MARK: - Limits and messages

    /// DynamoDB's limits: 38 significant digits, 1E-130 <= |x| < 1E+126.
    public enum Limits {
        public static let maxSignificantDigits = 38
        /// Largest exponent of the most significant digit (9.99…E+125).
        public static let maxAdjustedExponent = 125
        /// Smallest exponent of the most significant digit (1E-130).
        public static let minAdjustedExponent = -130
    }

    /// The ValidationException messages DynamoDB sends for numbers.
    ///
    /// The malformed-number text is the service's ("The parameter cannot be converted to
    /// a numeric value: NaN" in client reports; dynalite; ScyllaDB's DynamoDB-verified
    /// tests expect "numeric"). DynamoDB Local says "A value provided cannot be converted
    /// into a number" instead; we follow the service.
    public enum Message {
        /// An `N` value that is empty.
        public static let empty = "The parameter cannot be converted to a numeric value"
        /// An `N` value that is not number text; DynamoDB appends the text it was sent.
        public static func malformed(_ text: String) -> String { "\(empty): \(text)" }
        public static let tooManyDigits = "Attempting to store more than 38 significant digits in a Number"
        public static let overflow =
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        public static let underflow =
            "Number underflow. Attempting to store a number with magnitude smaller than supported range"
    }

    // MARK: - Construction

    /// Parses DynamoDB number text, throwing DynamoDB's ValidationException texts.
    ///
    /// Accepted: an optional `+` or `-`, digits with at most one `.` (at least one
    /// digit in all: `5.`, `.5` and `+5` are numbers), then optionally `e` or `E`, an
    /// optional sign and at least one digit. Nothing else, not even surrounding
    /// whitespace. The checks run in the order dynalite records: syntax, overflow,
    /// underflow, then the 38-digit precision. Zero with any exponent (`0e999999`) is 0.
    public init(parsing text: String) throws(KVError) {
        var copy = text
        let outcome = copy.withUTF8 { Number.parse($0) }
        switch outcome {
        case .value(let number): self = number
        case .empty: throw .validation(Message.empty)
        case .malformed: throw .validation(Message.malformed(text))
        case .overflow: throw .validation(Message.overflow)
        case .underflow: throw .validation(Message.underflow)
        case .tooManyDigits: throw .validation(Message.tooManyDigits)
        }
    }

    public init(_ value: Int) {
        var magnitude = UInt64(value.magnitude)  // < 10^19, so it fits the low limb
        guard magnitude != 0 else {
            self = .zero
            return
        }
        var exponent = 0
        while magnitude % 10 == 0 {
            magnitude /= 10
            exponent += 1
        }
        self.init(high: 0, low: magnitude, exponent: exponent,
                  digitCount: Number.decimalDigits(magnitude), isNegative: value < 0)
    }

    private enum ParseOutcome {
        case value(Number)
        case empty, malformed, overflow, underflow, tooManyDigits
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> ParseOutcome {
        let count = text.count
        guard count > 0 else { return .empty }
        var index = 0
        var negative = false
        let first = text[0]
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }

        // Mantissa. Digits are numbered in order of appearance across the point.
        var digits = 0
        var integerDigits = 0
        var sawPoint = false
        var firstNonZero = -1
        var lastNonZero = -1
        var pendingZeros = 0
        var accumulator = DigitAccumulator()
        var tooManyDigits = false
        while index < count {
            let byte = text[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                let digit = UInt64(byte - UInt8(ascii: "0"))
                if digit == 0 {
                    if firstNonZero >= 0 { pendingZeros += 1 }
                } else {
                    if firstNonZero < 0 { firstNonZero = digits }
                    lastNonZero = digits
                    if !tooManyDigits {
                        if accumulator.count + pendingZeros + 1 > Limits.maxSignificantDigits {
                            tooManyDigits = true
                        } else {
                            for _ in 0..<pendingZeros { accumulator.append(0) }
                            accumulator.append(digit)
                        }
                    }
                    pendingZeros = 0
                }
                digits += 1
                if !sawPoint { integerDigits += 1 }
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        guard digits > 0 else { return .malformed }

        // Exponent. Saturated once it exceeds the text length by far: from there on the
        // result is out of range whatever the digits are, and it cannot overflow an Int.
        var exponent = 0
        let exponentLimit = count + 1_000
        if index < count {
            let marker = text[index]
            guard marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") else { return .malformed }
            index += 1
            var exponentNegative = false
            if index < count && (text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+")) {
                exponentNegative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            var exponentDigits = 0
            while index < count {
                let byte = text[index]
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { break }
                if exponent <= exponentLimit {
                    exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                }
                exponentDigits += 1
                index += 1
            }
            guard exponentDigits > 0 else { return .malformed }
            if exponentNegative { exponent = -exponent }
        }
        guard index == count else { return .malformed }

        guard firstNonZero >= 0 else { return .value(.zero) }
        // The digit numbered j sits at decimal exponent (integerDigits - 1 - j) + exponent.
        let adjusted = integerDigits - 1 - firstNonZero + exponent
        if adjusted > Limits.maxAdjustedExponent { return .overflow }
        if adjusted < Limits.minAdjustedExponent { return .underflow }
        if tooManyDigits { return .tooManyDigits }
        let (high, low) = accumulator.coefficient
        return .value(Number(high: high, low: low,
                             exponent: integerDigits - 1 - lastNonZero + exponent,
                             digitCount: accumulator.count, isNegative: negative))
    }

    // MARK: - Text

    /// The canonical text DynamoDB sends back: plain notation without exponent,
    /// no leading or trailing zeros, no `+`, and `0` for zero
    /// ("1.50" -> "1.5", "1e3" -> "1000", "-0" -> "0", "1E+125" -> "1" and 125 zeros).
    public var description: String {
        String(unsafeUninitializedCapacity: textLength) { buffer in writeText(into: buffer) }
    }

    /// Writes `description`'s UTF-8 bytes at `output`, which has room for `textLength` bytes,
    /// without making a `String`; returns `textLength`.
    public func writeText(to output: UnsafeMutablePointer<UInt8>) -> Int {
        writeText(into: UnsafeMutableBufferPointer(start: output, count: textLength))
    }

    /// The length of `description`: at most 170 (a sign, "0." and 167 digits).
    public var textLength: Int {
        guard !isZero else { return 1 }
        let n = Int(digitCount)
        let e = Int(exponent)
        let sign = isNegative ? 1 : 0
        if e >= 0 {
            return sign + n + e
        } else if -e < n {
            return sign + n + 1
        } else {
            return sign + 2 - e
        }
    }

    /// Writes `description` into `buffer`, which holds at least `textLength` bytes; returns the length.
    private func writeText(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let length = textLength
        guard !isZero else {
            buffer[0] = UInt8(ascii: "0")
            return length
        }
        let n = Int(digitCount)
        let e = Int(exponent)
        var position = 0
        if isNegative {
            buffer[0] = UInt8(ascii: "-")
            position = 1
        }
        if e >= 0 {
            writeDigits(into: buffer, at: position)
            for i in (position + n)..<(position + n + e) { buffer[i] = UInt8(ascii: "0") }
        } else if -e < n {
            let integerDigits = n + e
            writeDigits(into: buffer, at: position, pointAfter: integerDigits)
        } else {
            buffer[position] = UInt8(ascii: "0")
            buffer[position + 1] = UInt8(ascii: ".")
            let zeros = -e - n
            for i in (position + 2)..<(position + 2 + zeros) { buffer[i] = UInt8(ascii: "0") }
            writeDigits(into: buffer, at: position + 2 + zeros)
        }
        return length
    }

    /// Writes the coefficient's digits at `start`, with a '.' after `pointAfter` digits if given.
    private func writeDigits(into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int, pointAfter: Int? = nil) {
        let n = Int(digitCount)
        var end = start + n
        if pointAfter != nil { end += 1 }
        var position = end - 1
        var written = 0
        var limb = low
        var limbDigits = 0
        while written < n {
            if let point = pointAfter, written == n - point {
                buffer[position] = UInt8(ascii: ".")
                position -= 1
            }
            if limbDigits == 19 {
                limb = high
                limbDigits = 0
            }
            buffer[position] = UInt8(ascii: "0") + UInt8(limb % 10)
            limb /= 10
            limbDigits += 1
            written += 1
            position -= 1
        }
    }

    // MARK: - Comparison

    public static func < (lhs: Number, rhs: Number) -> Bool {
        if lhs.isNegative != rhs.isNegative { return lhs.isNegative }
        let order = compareMagnitudes(lhs, rhs)
        return lhs.isNegative ? order > 0 : order < 0
    }

    /// -1, 0 or 1 as |lhs| is less than, equal to or greater than |rhs|.
    private static func compareMagnitudes(_ lhs: Number, _ rhs: Number) -> Int {
        if lhs.isZero || rhs.isZero {
            return lhs.isZero ? (rhs.isZero ? 0 : -1) : 1
        }
        let lhsAdjusted = lhs.adjustedExponent
        let rhsAdjusted = rhs.adjustedExponent
        if lhsAdjusted != rhsAdjusted { return lhsAdjusted < rhsAdjusted ? -1 : 1 }
        // Same leading position: line the coefficients up on their first digit.
        var (lhsHigh, lhsLow) = (lhs.high, lhs.low)
        var (rhsHigh, rhsLow) = (rhs.high, rhs.low)
        if lhs.digitCount < rhs.digitCount {
            (lhsHigh, lhsLow) = shiftedLeft(lhsHigh, lhsLow, by: Int(rhs.digitCount - lhs.digitCount))
        } else if rhs.digitCount < lhs.digitCount {
            (rhsHigh, rhsLow) = shiftedLeft(rhsHigh, rhsLow, by: Int(lhs.digitCount - rhs.digitCount))
        }
        if lhsHigh != rhsHigh { return lhsHigh < rhsHigh ? -1 : 1 }
        if lhsLow != rhsLow { return lhsLow < rhsLow ? -1 : 1 }
        return 0
    }

    /// The decimal exponent of the most significant digit (scientific-notation exponent).
    private var adjustedExponent: Int { Int(exponent) + Int(digitCount) - 1 }

    // MARK: - Order-preserving bytes

    /// A byte string whose memcmp order is the numeric order; equal values give
    /// identical bytes. It is the SQLite BLOB key for numbers: an ON-DISK FORMAT,
    /// so any change needs a data migration. `init?(orderedBytes:)` is the inverse.
    ///
    /// ```
    ///  zero      80
    ///  positive  FF   E   P1  P2 … Pk
    ///  negative  00  ~E  ~P1 ~P2 … ~Pk  FF
    ///
    ///  E   = adjusted exponent + 130   (0…255; the exponent of the first significant digit)
    ///  Pi  = 10·d(2i-1) + d(2i)         (0…99; the significant digits, most significant
    ///                                    first, two per byte; an odd count is padded with 0)
    ///  ~E  = 255 - E,  ~Pi = 99 - Pi    (so a larger magnitude sorts lower)
    ///  FF  = terminator of a negative: it sorts above every ~Pi, so that a negative
    ///        whose digits are a prefix of another's (smaller magnitude) sorts after it
    /// ```
    ///
    /// Example: 1.5 = `FF 82 0F`, 150 = `FF 84 0F`, -1.5 = `00 7D 54 FF`, 0.01 = `FF 80 0A`.
    /// The first byte orders negatives < zero < positives; then the exponent byte; then the
    /// digit pairs, where a shorter positive (a prefix) is smaller because the canonical
    /// form's last pair is never 00. Lengths: 1 for zero, else 3…21 (positive), 4…22 (negative).
    public var orderedBytes: [UInt8] {
        guard !isZero else { return [Number.zeroTag] }
        let pairCount = (Int(digitCount) + 1) / 2
        var bytes = [UInt8]()
        bytes.reserveCapacity(pairCount + (isNegative ? 3 : 2))
        let exponentByte = UInt8(adjustedExponent - Limits.minAdjustedExponent)
        // Left-align the coefficient to 38 digits: aligned high = digits 1…19, low = 20…38.
        let (alignedHigh, alignedLow) = Number.shiftedLeft(high, low, by: Limits.maxSignificantDigits - Int(digitCount))
        if isNegative {
            bytes.append(Number.negativeTag)
            bytes.append(255 - exponentByte)
        } else {
            bytes.append(Number.positiveTag)
            bytes.append(exponentByte)
        }
        for pair in 1...pairCount {
            let value = Number.digitPair(pair, alignedHigh, alignedLow)
            bytes.append(isNegative ? 99 - value : value)
        }
        if isNegative { bytes.append(Number.negativeTerminator) }
        return bytes
    }

    /// Decodes `orderedBytes`; nil unless the bytes are exactly what some number encodes to.
    public init?(orderedBytes: some Collection<UInt8>) {
        let count = orderedBytes.count
        var iterator = orderedBytes.makeIterator()
        guard let tag = iterator.next() else { return nil }
        if tag == Number.zeroTag {
            guard count == 1 else { return nil }
            self = .zero
            return
        }
        let negative: Bool
        let pairCount: Int
        switch tag {
        case Number.positiveTag:
            negative = false
            pairCount = count - 2
        case Number.negativeTag:
            negative = true
            pairCount = count - 3
        default:
            return nil
        }
        guard pairCount >= 1, pairCount <= (Limits.maxSignificantDigits + 1) / 2,
              let storedExponent = iterator.next() else { return nil }
        let exponentByte = negative ? 255 - storedExponent : storedExponent
        var accumulator = DigitAccumulator()
        var lastPair: UInt8 = 0
        for index in 0..<pairCount {
            guard let stored = iterator.next(), stored <= 99 else { return nil }
            let pair = negative ? 99 - stored : stored
            if index == 0 && pair < 10 { return nil }  // the first digit is significant
            accumulator.append(UInt64(pair / 10))
            if index < pairCount - 1 || pair % 10 != 0 { accumulator.append(UInt64(pair % 10)) }
            lastPair = pair
        }
        guard lastPair != 0 else { return nil }  // the last digit is significant
        if negative {
            guard iterator.next() == Number.negativeTerminator else { return nil }
        }
        guard iterator.next() == nil else { return nil }
        let adjusted = Int(exponentByte) + Limits.minAdjustedExponent
        let (high, low) = accumulator.coefficient
        self.init(high: high, low: low, exponent: adjusted - accumulator.count + 1,
                  digitCount: accumulator.count, isNegative: negative)
    }

    private static let negativeTag: UInt8 = 0x00
    private static let zeroTag: UInt8 = 0x80
    private static let positiveTag: UInt8 = 0xFF
    private static let negativeTerminator: UInt8 = 0xFF

    /// Digits 2k-1 and 2k (1-based) of a 38-digit left-aligned coefficient, as 0…99.
    private static func digitPair(_ k: Int, _ alignedHigh: UInt64, _ alignedLow: UInt64) -> UInt8 {
        if k <= 9 {
            return UInt8((alignedHigh / powerOfTen(19 - 2 * k)) % 100)
        } else if k == 10 {
            return UInt8((alignedHigh % 10) * 10 + alignedLow / powerOfTen(18))
        } else {
            return UInt8((alignedLow / powerOfTen(38 - 2 * k)) % 100)
        }
    }

    // MARK: - Item size

    /// Bytes this number counts toward DynamoDB's 400 KB item size (value only, not the name).
    ///
    /// DynamoDB sizes a number like a base-100 floating-point encoding whose digit
    /// pairs are aligned on the decimal point: one byte for the exponent, one per
    /// base-100 digit from the most to the least significant non-zero pair, and one
    /// more for a negative number. Zero is 1 byte. So `12` costs 2, `1.5` costs 3
    /// (pairs 01.50), `100.5` costs 4 (01 00.50), `1E125` costs 2, `-42` costs 3.
    /// This reproduces dynalite's formula (1 + ceil(digits / 2), plus 1 when the digit
    /// count and the adjusted exponent are both even, plus 1 if negative) and every
    /// byte-exact measurement against DynamoDB we found.
    public var sizeInBytes: Int {
        guard !isZero else { return 1 }
        let pairs = Number.floorHalf(adjustedExponent) - Number.floorHalf(Int(exponent)) + 1
        return 1 + pairs + (isNegative ? 1 : 0)
    }

    private static func floorHalf(_ value: Int) -> Int {
        value >= 0 ? value / 2 : -((-value + 1) / 2)
    }

    // MARK: - Arithmetic

    /// The exact sum; DynamoDB's overflow/underflow errors when it is out of range.
    ///
    /// DynamoDB does not round: a sum that needs more than 38 significant digits
    /// (`1E50 + 1`) is rejected, and it reports that with the *overflow* message.
    public static func + (lhs: Number, rhs: Number) throws(KVError) -> Number {
        try add(lhs, rhs, negatingRight: false)
    }

    /// The exact difference; errors as for `+`.
    public static func - (lhs: Number, rhs: Number) throws(KVError) -> Number {
        try add(lhs, rhs, negatingRight: true)
    }

    /// The same magnitude with the opposite sign (zero stays zero).
    public var negated: Number {
        Number(high: high, low: low, exponent: Int(exponent), digitCount: Int(digitCount), isNegative: !isNegative)
    }

    private static func add(_ lhs: Number, _ rhs: Number, negatingRight: Bool) throws(KVError) -> Number {
        let right = negatingRight ? rhs.negated : rhs
        if right.isZero { return lhs }
        if lhs.isZero { return right }
        let lhsExponent = Int(lhs.exponent)
        let rightExponent = Int(right.exponent)
        let base = min(lhsExponent, rightExponent)
        let shift = max(lhsExponent, rightExponent) - base
        // If the operands' last digits are more than 38 places apart, the exact result
        // keeps the lower one's last digit and the upper one's leading digits (the digits
        // between them are zeros, so no carry or borrow reaches further than one place):
        // it needs more than 38 digits.
        guard shift <= Limits.maxSignificantDigits else { throw .validation(Message.overflow) }

        // Work in decimal digits, least significant first, at exponent `base`:
        // 38 digits shifted by up to 38 places, plus a carry.
        let width = 2 * Limits.maxSignificantDigits + 2
        let outcome: ArithmeticOutcome = withUnsafeTemporaryAllocation(of: Int8.self, capacity: width) { digits in
            digits.initialize(repeating: 0)
            let (larger, smaller): (Number, Number)
            let negative: Bool
            if lhs.isNegative == right.isNegative {
                (larger, smaller) = (lhs, right)
                negative = lhs.isNegative
            } else {
                let order = compareMagnitudes(lhs, right)
                if order == 0 { return .value(.zero) }
                (larger, smaller) = order > 0 ? (lhs, right) : (right, lhs)
                negative = larger.isNegative
            }
            larger.spreadDigits(into: digits, at: Int(larger.exponent) - base, sign: 1)
            smaller.spreadDigits(into: digits, at: Int(smaller.exponent) - base,
                                 sign: lhs.isNegative == right.isNegative ? 1 : -1)
            // Normalise carries (sum) or borrows (difference of |larger| - |smaller| >= 0).
            for i in 0..<(width - 1) {
                if digits[i] >= 10 {
                    digits[i] -= 10
                    digits[i + 1] += 1
                } else if digits[i] < 0 {
                    digits[i] += 10
                    digits[i + 1] -= 1
                }
            }
            var top = width - 1
            while top > 0 && digits[top] == 0 { top -= 1 }
            var bottom = 0
            while bottom < top && digits[bottom] == 0 { bottom += 1 }
            let adjusted = base + top
            if adjusted > Limits.maxAdjustedExponent { return .overflow }
            if adjusted < Limits.minAdjustedExponent { return .underflow }
            if top - bottom + 1 > Limits.maxSignificantDigits { return .overflow }
            var accumulator = DigitAccumulator()
            for i in stride(from: top, through: bottom, by: -1) { accumulator.append(UInt64(digits[i])) }
            let (high, low) = accumulator.coefficient
            return .value(Number(high: high, low: low, exponent: base + bottom,
                                 digitCount: accumulator.count, isNegative: negative))
        }
        switch outcome {
        case .value(let number): return number
        case .overflow: throw .validation(Message.overflow)
        case .underflow: throw .validation(Message.underflow)
        }
    }

    private enum ArithmeticOutcome {
        case value(Number)
        case overflow, underflow
    }

    /// Adds `sign ×` each coefficient digit into `digits`, the last digit at `offset`.
    private func spreadDigits(into digits: UnsafeMutableBufferPointer<Int8>, at offset: Int, sign: Int8) {
        var limb = low
        var limbDigits = 0
        for i in 0..<Int(digitCount) {
            if limbDigits == 19 {
                limb = high
                limbDigits = 0
            }
            digits[offset + i] += sign * Int8(limb % 10)
            limb /= 10
            limbDigits += 1
        }
    }

    // MARK: - Base 10^19 helpers

    private static let limbBase: UInt64 = 10_000_000_000_000_000_000

    private static func powerOfTen(_ k: Int) -> UInt64 {
        var result: UInt64 = 1
        for _ in 0..<k { result *= 10 }
        return result
    }

    private static func decimalDigits(_ value: UInt64) -> Int {
        var count = 1
        var rest = value / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        return count
    }

    /// `(high × 10^19 + low) × 10^places`, which the caller guarantees is below 10^38.
    private static func shiftedLeft(_ high: UInt64, _ low: UInt64, by places: Int) -> (UInt64, UInt64) {
        var (high, low, places) = (high, low, places)
        if places >= 19 {
            (high, low) = (low, 0)
            places -= 19
        }
        guard places > 0 else { return (high, low) }
        let factor = powerOfTen(places)
        let product = low.multipliedFullWidth(by: factor)  // < 10^37, so product.high < 10^19
        let (carry, remainder) = limbBase.dividingFullWidth(product)
        return (high * factor + carry, remainder)
    }
}

/// Collects up to 38 decimal digits, most significant first, without multi-word arithmetic.
private struct DigitAccumulator {
    private var first: UInt64 = 0   // the first 19 digits
    private var second: UInt64 = 0  // digits 20…38
    private(set) var count = 0

    mutating func append(_ digit: UInt64) {
        if count < 19 {
            first = first * 10 + digit
        } else {
            second = second * 10 + digit
        }
        count += 1
    }

    /// The digits as `high × 10^19 + low`.
    var coefficient: (high: UInt64, low: UInt64) {
        guard count > 19 else { return (0, first) }
        // value = first × 10^k + second, with k = count - 19 digits in `second`.
        var split: UInt64 = 1
        for _ in 0..<(38 - count) { split *= 10 }  // 10^(19 - k)
        var scale: UInt64 = 1
        for _ in 0..<(count - 19) { scale *= 10 }  // 10^k
        return (first / split, (first % split) * scale + second)
    }
}

/// The request context IAM evaluates conditions and policy variables against: condition keys
/// (`aws:SourceIp`, `dynamodb:LeadingKeys`, ...) and their values.
///
/// Key names are case-insensitive, as in IAM; a key has one value or, for multivalued keys
/// (`dynamodb:LeadingKeys`, `dynamodb:Attributes`), several. A key that is absent is not the
/// same as a key with no values only for `Null`; both make `ForAllValues` true and
/// `ForAnyValue` false.
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
public struct IAMContext: Sendable, Equatable {
    private var values: [String: [String]]

    public init(_ values: [String: [String]] = [:]) {
        self.values = [:]
        for (key, list) in values { self.values[key.lowercased()] = list }
    }

    /// The values of `key`, or nil when the request has no such key.
    public subscript(key: String) -> [String]? {
        get { values[key.lowercased()] }
        set { values[key.lowercased()] = newValue }
    }

    /// Sets a single-valued key; nil removes it.
    public mutating func set(_ key: String, _ value: String?) {
        values[key.lowercased()] = value.map { [$0] }
    }

    /// Adds the keys of `other`, replacing keys present in both.
    public func merging(_ other: IAMContext) -> IAMContext {
        var merged = self
        for (key, list) in other.values { merged.values[key] = list }
        return merged
    }

    /// All keys (lowercased) and values, sorted by key: for `kvctl auth simulate`.
    public var entries: [(key: String, values: [String])] {
        values.keys.sorted().map { (key: $0, values: values[$0] ?? []) }
    }

    /// The value a policy variable `${key}` stands for: single-valued keys only (IAM does not
    /// substitute multivalued keys).
    func variableValue(_ key: String) -> String? {
        guard let list = values[key.lowercased()], list.count == 1 else { return nil }
        return list[0]
    }
}

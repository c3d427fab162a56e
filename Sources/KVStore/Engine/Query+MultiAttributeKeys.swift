/// Query on a global secondary index with multi-attribute keys: the stored partition bytes and the
/// `sk` byte range of the sort conditions (see `CompositeKeyEncoding`).
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.MultiAttributeKeys
extension KVEngine {
    /// The stored partition bytes of a Query on a multi-attribute partition key.
    static func multiAttributePartition(_ request: QueryRequest, schema: KeySchema) throws(KVError) -> [UInt8] {
        let values = [request.partitionKeyValue] + request.additionalPartitionKeyValues
        let attributes = schema.partitionKeys
        guard values.count == attributes.count else { throw KVError.validation("Query key condition not supported") }
        var encoded: [[UInt8]] = []
        for (value, attribute) in zip(values, attributes) {
            guard value.scalarType == attribute.type, let bytes = KeyEncoding.encode(value) else { throw conditionTypeMismatch }
            encoded.append(bytes)
        }
        if encoded.count == 1, let only = encoded.first { return only }
        return CompositeKeyEncoding.encode(encoded)
    }

    /// The sort-key bounds of a Query on a sort key of several attributes: the prefix
    /// equalities and the condition on the next attribute make one byte range (see
    /// `CompositeKeyEncoding`).
    static func multiAttributeSortBounds(_ request: QueryRequest, sortKeys: [KeyAttribute]) throws(KVError) -> SortKeyBounds {
        guard let range = try sortRange(prefix: request.sortKeyPrefix, condition: request.sortKeyCondition, sortKeys: sortKeys) else {
            return .all
        }
        return .range(lower: range.lower.map(SortKeyBounds.Bound.inclusive), upper: range.upper.map(SortKeyBounds.Bound.exclusive))
    }

    /// The half-open byte range `[lower, upper)` of the `sk` values a multi-attribute sort
    /// condition selects (nil bound: unbounded); nil when it selects the whole partition.
    static func sortRange(
        prefix: [AttributeValue], condition: KeyCondition.SortCondition?, sortKeys: [KeyAttribute]
    ) throws(KVError) -> (lower: [UInt8]?, upper: [UInt8]?)? {
        let conditioned = prefix.count + (condition == nil ? 0 : 1)
        guard conditioned <= sortKeys.count else { throw KVError.validation("Query key condition not supported") }
        func encoded(_ value: AttributeValue, _ attribute: KeyAttribute) throws(KVError) -> [UInt8] {
            guard value.scalarType == attribute.type, let bytes = KeyEncoding.encode(value) else { throw conditionTypeMismatch }
            return bytes
        }
        var base: [UInt8] = []
        for (value, attribute) in zip(prefix, sortKeys) {
            CompositeKeyEncoding.appendComponent(try encoded(value, attribute), to: &base)
        }
        guard let condition else { return base.isEmpty ? nil : (base, SortKeyBounds.prefixSuccessor(base)) }
        let attribute = sortKeys[prefix.count]
        func with(_ value: AttributeValue) throws(KVError) -> [UInt8] {
            var bytes = base
            CompositeKeyEncoding.appendComponent(try encoded(value, attribute), to: &bytes)
            return bytes
        }
        let below: [UInt8]? = base.isEmpty ? nil : base
        let above: [UInt8]? = base.isEmpty ? nil : SortKeyBounds.prefixSuccessor(base)
        switch condition {
        case .equal(let value):
            let bytes = try with(value)
            return (bytes, SortKeyBounds.prefixSuccessor(bytes))
        case .less(let value):
            return (below, try with(value))
        case .lessOrEqual(let value):
            return (below, SortKeyBounds.prefixSuccessor(try with(value)))
        case .greater(let value):
            return (SortKeyBounds.prefixSuccessor(try with(value)), above)
        case .greaterOrEqual(let value):
            return (try with(value), above)
        case .between(let low, let high):
            return (try with(low), SortKeyBounds.prefixSuccessor(try with(high)))
        case .beginsWith(let value):
            guard attribute.type != .number else { throw beginsWithNumber }
            var bytes = base
            CompositeKeyEncoding.appendEscaped(try encoded(value, attribute), to: &bytes)
            return (bytes, SortKeyBounds.prefixSuccessor(bytes))
        }
    }
}

import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
enum ScanOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let shape = try ReadRequestFields.shape(request, into: &violations)
        let segment = try request.integer("Segment")
        let totalSegments = try request.integer("TotalSegments")
        violations.range(segment, min: 0, max: 999_999, at: "segment")
        violations.range(totalSegments, min: 1, max: 1_000_000, at: "totalSegments")
        try violations.check()
        switch (segment, totalSegments) {
        case (.some, nil):
            throw KVError.validation(
                "The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
        case (nil, .some):
            throw KVError.validation(
                "The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
        case (let segment?, let total?) where segment >= total:
            throw KVError.validation(
                "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: \(segment) is not less than TotalSegments: \(total)"
            )
        default:
            break
        }
        try ReadRequestFields.checkSelect(shape, request: request, isQuery: false)
        var expressions = try ExpressionParameters(
            request, expressions: ["FilterExpression", "ProjectionExpression"],
            legacy: ["ScanFilter", "ConditionalOperator", "AttributesToGet"])
        let filter = try expressions.condition("FilterExpression", kind: .filter)
            ?? expressions.legacyCondition("ScanFilter")
        let projection = try expressions.projection()
        try expressions.attributes.checkAllUsed()

        let options = try ReadRequestFields.options(shape, filter: filter, projection: projection)
        let page = try await engine.scan(
            ScanRequest(
                tableName: shape.tableName ?? "", segment: segment.map { Int($0) }, totalSegments: totalSegments.map { Int($0) },
                options: options))
        context.usage?.returned(items: page.count)
        return CapacityWire.attach(
            page.consumedCapacity, mode: try CapacityWire.mode(request), usage: context.usage, to: try ReadRequestFields.response(page, select: options.select))
    }
}

import KVStore

/// `OnDemandThroughput` (`MaxReadRequestUnits`, `MaxWriteRequestUnits`; -1 for no maximum) of
/// CreateTable, UpdateTable and the TableDescription.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_OnDemandThroughput.html
enum OnDemandThroughputWire {
    static func decode(_ request: WireObject) throws(KVError) -> OnDemandThroughput? {
        guard let object = try request.object("OnDemandThroughput") else { return nil }
        return OnDemandThroughput(
            maxReadRequestUnits: try object.long("MaxReadRequestUnits"),
            maxWriteRequestUnits: try object.long("MaxWriteRequestUnits"))
    }

    static func encode(_ maxima: OnDemandThroughput) -> JSONValue {
        .object([
            "MaxReadRequestUnits": .number(String(maxima.maxReadRequestUnits ?? -1)),
            "MaxWriteRequestUnits": .number(String(maxima.maxWriteRequestUnits ?? -1)),
        ])
    }
}

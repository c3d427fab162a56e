extension KVEngine {
    /// The cached definition of a table (throughput settings, indexes), or nil when there is
    /// none; cheap enough to ask on every request (`--enforce-throughput` does). Reflects an
    /// UpdateTable as soon as it committed.
    public func tableDefinition(named name: String) -> TableDefinition? {
        catalog.table(named: name)
    }
}

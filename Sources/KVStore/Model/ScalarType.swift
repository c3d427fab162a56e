/// The types a key attribute may have (AttributeDefinition's AttributeType).
public enum ScalarType: String, Sendable, Hashable, Codable {
    case string = "S"
    case number = "N"
    case binary = "B"
}

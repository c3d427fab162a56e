import Testing

@testable import KVServer
@testable import KVStore

@Suite struct ProtocolTests {
    @Test(arguments: [
        (JSONValue.object([:]), "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        (.object(["S": .string("a"), "N": .string("1")]),
         "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
        (.object(["NULL": .bool(false)]),
         "One or more parameter values were invalid: Null attribute value types must have the value of true"),
        (.object(["SS": .array([])]), "One or more parameter values were invalid: An string set  may not be empty"),
        (.object(["NS": .array([])]), "One or more parameter values were invalid: An number set  may not be empty"),
        (.object(["BS": .array([])]), "One or more parameter values were invalid: Binary sets should not be empty"),
        (.object(["SS": .array([.string("a"), .string("a")])]),
         "One or more parameter values were invalid: Input collection [a, a] contains duplicates."),
    ])
    func invalidAttributeValues(json: JSONValue, message: String) {
        #expect(throws: KVError.validation(message)) { try AttributeValueWire.decode(json) }
    }

    @Test func wrongJSONTypeIsSerializationError() {
        #expect(throws: KVError.serialization("NUMBER_VALUE cannot be converted to String")) {
            try AttributeValueWire.decode(.object(["S": .number("5")]))
        }
    }

    @Test func nestingBeyond32LevelsIsRefused() throws {
        var value = JSONValue.object(["S": .string("leaf")])
        for _ in 0..<31 { value = .object(["L": .array([value])]) }
        _ = try AttributeValueWire.decode(value)
        value = .object(["L": .array([value])])
        #expect(throws: KVError.self) { try AttributeValueWire.decode(value) }
    }

    @Test func attributeValuesRoundTrip() throws {
        let json = JSONValue.object([
            "M": .object([
                "s": .object(["S": .string("x")]),
                "b": .object(["B": .string("AAEC")]),
                "l": .object(["L": .array([.object(["BOOL": .bool(true)]), .object(["NULL": .bool(true)])])]),
                "bs": .object(["BS": .array([.string("AA=="), .string("AQ==")])]),
            ])
        ])
        let value = try AttributeValueWire.decode(json)
        #expect(AttributeValueWire.encode(value) == json)
    }

    @Test(arguments: ["", "AQ==", "AAEC", "AAECAw==", "/+8="])
    func base64RoundTrips(text: String) throws {
        #expect(Base64.encode(try Base64.decode(text)) == text)
    }

    @Test(arguments: ["A", "AB=C", "A===", "AB!="])
    func invalidBase64IsRefused(text: String) {
        #expect(throws: Base64.DecodingError.self) { try Base64.decode(text) }
    }

    @Test func regionComesFromTheCredentialScope() {
        let context = RequestContext(
            authorization: "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=abc")
        #expect(context.region == "eu-west-1")
        #expect(context.accessKeyID == "AKID")
        #expect(RequestContext(authorization: nil).region == "us-east-1")
    }

    /// The header is read only when asked; a verified request's region and key replace it,
    /// including a key set to nil, and a scope with empty fields reads as absent.
    @Test func givenRegionAndKeyReplaceTheHeaders() {
        var context = RequestContext(
            authorization: "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/dynamodb/aws4_request, Signature=abc")
        context.region = "ap-south-1"
        context.accessKeyID = nil
        #expect(context.region == "ap-south-1")
        #expect(context.accessKeyID == nil)
        let empty = RequestContext(authorization: "AWS4-HMAC-SHA256 Credential=//, Signature=abc")
        #expect(empty.region == "us-east-1")
        #expect(empty.accessKeyID == nil)
        let noScope = RequestContext(authorization: "Bearer x")
        #expect(noScope.region == "us-east-1")
        #expect(noScope.accessKeyID == nil)
        #expect(RequestContext(region: "eu-north-1", accessKeyID: "K").region == "eu-north-1")
        #expect(RequestContext(region: "eu-north-1", accessKeyID: "K").accessKeyID == "K")
    }

    @Test func constraintViolationsUseTheEnvelope() {
        var violations = ConstraintViolations()
        violations.length("ab", min: 3, at: "tableName")
        violations.pattern("ab!", "[a-zA-Z0-9_.-]+", matches: TableName.isValidName, at: "tableName")
        #expect(
            throws: KVError.validation(
                "2 validation errors detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; Value 'ab!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
            )
        ) { try violations.check() }
    }

    @Test func tableARNsNameTheirTable() {
        #expect(TableName.nameInARN("arn:aws:dynamodb:us-east-1:000000000000:table/Stocks") == "Stocks")
        #expect(TableName.nameInARN("Stocks") == nil)
        #expect(TableName.nameInARN("arn:aws:s3:::bucket") == nil)
    }
}

@Suite struct ResponseItemTests {
    /// The direct writer must produce exactly what encoding through a JSON tree produces.
    @Test func responseItemMatchesTheTreeEncoding() throws {
        let item: Item = [
            "s": .string("quote \" and \\ and \n"), "n": .number(try Number(parsing: "-12.50")),
            "b": .binary([0, 1, 2, 255]), "t": .bool(true), "f": .bool(false), "z": .null,
            "ss": .stringSet(["a", "b"]), "ns": .numberSet([Number(1), Number(2)]), "bs": .binarySet([[1], [2, 3]]),
            "l": .list([.string("x"), .map(["deep": .list([.null])])]), "m": .map(["k": .number(Number(7))]),
            "unicode ✓": .string("é ✓ 🎉"),
        ]
        guard case .raw(let bytes) = AttributeValueWire.responseItem(item) else {
            Issue.record("expected pre-encoded bytes")
            return
        }
        #expect(try JSONParser.parse(bytes) == AttributeValueWire.encodeItem(item))
    }
}

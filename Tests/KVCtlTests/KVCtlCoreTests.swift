import ArgumentParser
import Foundation
import KVServer
import KVStore
import Testing

@testable import KVCtlCore

@Suite struct SigV4Tests {
    let credentials = SigV4Signer.Credentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    /// `get-vanilla` from AWS's Signature Version 4 test suite.
    @Test func getVanilla() {
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        let headers = signer.sign(method: "GET", path: "/", headers: ["Host": "example.amazonaws.com"], body: [], date: date)
        #expect(headers["X-Amz-Date"] == "20150830T123600Z")
        #expect(
            headers["Authorization"]
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        )
    }

    /// A DynamoDB request, cross-checked with botocore's SigV4Auth.
    @Test func dynamoDBRequestMatchesBotocore() {
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "dynamodb")
        let headers = signer.sign(
            method: "POST", path: "/",
            headers: [
                "host": "127.0.0.1:8000", "content-type": "application/x-amz-json-1.0",
                "x-amz-target": "DynamoDB_20120810.DescribeTable",
            ], body: Array(#"{"TableName":"t"}"#.utf8), date: date)
        #expect(
            headers["Authorization"]
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=9806f2165e423893fa9ecf62eb88723890dada4e0c66b72daed5a1d1f9654b04"
        )
    }

    @Test func sessionTokenIsSignedAndSent() {
        var withToken = credentials
        withToken.sessionToken = "token"
        let signer = SigV4Signer(credentials: withToken, region: "eu-west-1", service: "dynamodb")
        let headers = signer.sign(method: "POST", path: "/", headers: ["host": "h"], body: [], date: date)
        #expect(headers["X-Amz-Security-Token"] == "token")
        #expect(headers["Authorization"]?.contains("SignedHeaders=host;x-amz-date;x-amz-security-token") == true)
    }

    @Test func credentialsFromEnvironment() {
        let found = SigV4Signer.Credentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"])
        #expect(found == SigV4Signer.Credentials(accessKeyID: "a", secretAccessKey: "b"))
        #expect(SigV4Signer.Credentials.fromEnvironment([:]).accessKeyID.isEmpty == false)
    }
}

@Suite struct ItemJSONTests {
    @Test func plainRoundTripKeepsNumbersExact() throws {
        let text = #"{"b":{"$b":"AAEC"},"big":123456789012345678901234567890.5,"bs":{"$bs":["AA=="]},"l":[1,"x",null,true],"m":{"k":{"$ns":[1,2.5]}},"s":"t","ss":{"$ss":["a","b"]}}"#
        let item = try ItemJSON.item(fromPlain: try JSONParser.parse(text))
        #expect(item["big"] == .number(try Number(parsing: "123456789012345678901234567890.5")))
        #expect(item["ss"] == .stringSet(["a", "b"]))
        #expect(item["b"] == .binary([0, 1, 2]))
        #expect(JSONRender.compact(ItemJSON.plain(item)) == text)
    }

    @Test func wireFormat() throws {
        let item = try ItemJSON.item(fromPlain: try JSONParser.parse(#"{"n":1.50,"s":"x"}"#))
        #expect(JSONRender.compact(ItemJSON.wire(item)) == #"{"n":{"N":"1.5"},"s":{"S":"x"}}"#)
    }

    @Test(arguments: [#"[1]"#, #"{"a":{"$ss":[]}}"#, #"{"a":{"$ns":["x"]}}"#, #"{"a":{"$b":"!!"}}"#, #"{"a":1e999}"#])
    func invalidPlainItems(text: String) throws {
        #expect(throws: CLIError.self) { try ItemJSON.item(fromPlain: try JSONParser.parse(text)) }
    }

    @Test func importLines() throws {
        let codec = ItemCodecChoice(raw: false)
        let exported = try ImportCommand.decodeLine(Array(#"{"Item":{"pk":{"S":"a"}}}"#.utf8), codec: codec)
        #expect(exported == ["pk": .string("a")])
        let plain = try ImportCommand.decodeLine(Array(#"{"pk":"a","Item":"x"}"#.utf8), codec: codec)
        #expect(plain == ["pk": .string("a"), "Item": .string("x")])
    }
}

@Suite struct TableSpecTests {
    static let template = """
        AWSTemplateFormatVersion: '2010-09-09'
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Stage:
            Type: String
            Default: dev
        Resources:
          Queue:
            Type: AWS::SQS::Queue
          OrdersTable:
            Type: AWS::DynamoDB::Table
            Properties:
              TableName: !Sub "orders-${Stage}"
              BillingMode: PROVISIONED
              ProvisionedThroughput: {ReadCapacityUnits: "5", WriteCapacityUnits: 5}
              AttributeDefinitions:
                - {AttributeName: pk, AttributeType: S}
                - {AttributeName: sk, AttributeType: N}
              KeySchema:
                - {AttributeName: pk, KeyType: HASH}
                - {AttributeName: sk, KeyType: RANGE}
              StreamSpecification:
                StreamViewType: NEW_AND_OLD_IMAGES
              TimeToLiveSpecification:
                AttributeName: expires
                Enabled: true
              SSESpecification:
                SSEEnabled: !If [IsProd, true, false]
              Tags:
                - Key: owner
                  Value: !Ref AWS::AccountId
          UsersTable:
            Type: AWS::DynamoDB::Table
            Properties:
              TableName: !Sub "${AWS::StackName}-users"
              AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
              KeySchema: [{AttributeName: id, KeyType: HASH}]
        """

    @Test func firstTableOfATemplate() throws {
        let spec = try TableSpecLoader.load(text: Self.template, resource: nil)
        #expect(spec.tableName == "orders-dev")
        #expect(spec.ttlAttribute == "expires")
        #expect(spec.request["BillingMode"] == .string("PROVISIONED"))
        #expect(spec.request["ProvisionedThroughput"]?["ReadCapacityUnits"] == .number("5"))
        #expect(spec.request["StreamSpecification"]?["StreamEnabled"] == .bool(true))
        #expect(spec.request["SSESpecification"] == nil)
        #expect(spec.request["Tags"] == nil)
        #expect(spec.notes.contains { $0.contains("SSESpecification") })
    }

    @Test func unresolvableNameFallsBackToLogicalID() throws {
        let spec = try TableSpecLoader.load(text: Self.template, resource: "UsersTable")
        #expect(spec.tableName == "UsersTable")
        #expect(spec.request["BillingMode"] == .string("PAY_PER_REQUEST"))
    }

    @Test func unknownResource() {
        #expect(throws: CLIError.self) { try TableSpecLoader.load(text: Self.template, resource: "Queue") }
    }

    @Test func createTableJSON() throws {
        let spec = try TableSpecLoader.load(
            text: #"{"TableName":"t","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST","TimeToLiveSpecification":{"AttributeName":"ttl","Enabled":true}}"#,
            resource: nil)
        #expect(spec.tableName == "t")
        #expect(spec.ttlAttribute == "ttl")
        #expect(spec.request["TimeToLiveSpecification"] == nil)
    }

    @Test func jsonTemplate() throws {
        let spec = try TableSpecLoader.load(
            text: #"{"Resources":{"T":{"Type":"AWS::DynamoDB::Table","Properties":{"TableName":{"Fn::Join":["-",["a","b"]]},"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}]}}}}"#,
            resource: nil)
        #expect(spec.tableName == "a-b")
    }

    @Test func flagSpec() throws {
        let command = try TableCreateCommand.parse([
            "t", "--hash", "pk:S", "--range", "sk:N", "--gsi", "g:email:S:sk:N", "--lsi", "l:x:S", "--stream",
            "NEW_IMAGE", "--ttl", "exp",
        ])
        try command.validate()
        let spec = try command.flagSpec()
        #expect(spec.ttlAttribute == "exp")
        #expect(spec.request["AttributeDefinitions"]?.arrayValue?.count == 4)
        #expect(spec.request["LocalSecondaryIndexes"]?.arrayValue?.first?["KeySchema"]?.arrayValue?.count == 2)
        #expect(throws: (any Error).self) { try TableCreateCommand.parse(["t", "--hash", "pk:X"]) }
        #expect(throws: (any Error).self) { try TableCreateCommand.parse(["--from", "f", "--hash", "pk:S"]) }
    }
}

@Suite struct ShardTrackerTests {
    @Test func latestSkipsClosedShardsAndFollowsChildren() {
        var tracker = ShardTracker(initialStart: .latest)
        let first = tracker.update([
            ShardInfo(id: "a", parentID: nil, isClosed: true), ShardInfo(id: "b", parentID: "a", isClosed: false),
        ])
        #expect(first.map(\.0.id) == ["b"])
        #expect(first.map(\.1) == [.latest])
        let children = tracker.update([ShardInfo(id: "c", parentID: "b", isClosed: false)])
        #expect(children.isEmpty)
        let next = tracker.finish("b")
        #expect(next.map(\.0.id) == ["c"])
        #expect(next.map(\.1) == [.trimHorizon])
    }

    @Test func trimHorizonReadsParentsFirst() {
        var tracker = ShardTracker(initialStart: .trimHorizon)
        let first = tracker.update([
            ShardInfo(id: "child", parentID: "parent", isClosed: false),
            ShardInfo(id: "parent", parentID: "trimmed", isClosed: true),
        ])
        #expect(first.map(\.0.id) == ["parent"])
        #expect(tracker.finish("parent").map(\.0.id) == ["child"])
    }
}

@Suite struct CommandLineTests {
    @Test func globalOptionsBeforeTheSubcommand() {
        #expect(
            KVCtl.hoistingGlobalOptions(["--endpoint", "http://x", "--output=json", "table", "list"])
                == ["table", "list", "--endpoint", "http://x", "--output=json"])
        #expect(KVCtl.hoistingGlobalOptions(["get", "t", "--", "-k"]) == ["get", "t", "--", "-k"])
    }

    @Test(arguments: [
        ["table", "create", "t"], ["query", "t"], ["ttl", "t", "--enable", "a", "--disable"], ["nope"],
        ["scan", "t", "--limit", "0"], ["table", "list", "--endpoint", "ftp://x"],
    ])
    func usageErrorsExitTwo(arguments: [String]) async {
        #expect(await KVCtl.run(arguments: arguments) == 2)
    }

    @Test func badJSONIsAUsageError() async {
        #expect(await KVCtl.run(arguments: ["put", "t", "{", "--endpoint", "http://127.0.0.1:9"]) == 2)
    }

    @Test func progressLine() {
        #expect(
            ProgressBar.line(label: "import", done: 50, total: 100, elapsed: 10)
                == "import [############............] 50% 50/100 5/s ETA 0:10")
        #expect(ProgressBar.line(label: "export", done: 7, total: nil, elapsed: 1) == "export 7 items 7/s")
    }

    @Test func serviceErrorParsing() {
        let error = DynamoDBClient.serviceError(
            status: 400,
            json: .object([
                "__type": .string("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"),
                "message": .string("gone"),
            ]), bytes: [])
        #expect(error.description == "Error: ResourceNotFoundException: gone")
        #expect(DynamoDBClient.serviceError(status: 400, json: nil, bytes: Array("<UnknownOperationException/>".utf8)).type
            == "UnknownOperationException")
    }

    @Test func streamsEndpointOnAWS() {
        let aws = URL(string: "https://dynamodb.eu-west-1.amazonaws.com")!
        #expect(DynamoDBClient.streamsEndpoint(for: aws).host == "streams.dynamodb.eu-west-1.amazonaws.com")
        let local = URL(string: "http://127.0.0.1:8000")!
        #expect(DynamoDBClient.streamsEndpoint(for: local) == local)
        #expect(DynamoDBClient.hostHeader(local) == "127.0.0.1:8000")
    }
}

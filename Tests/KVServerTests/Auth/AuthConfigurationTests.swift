import Testing

@testable import KVServer

@Suite("Auth file")
struct AuthConfigurationTests {
    static let allowAll = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}"#

    static func parse(_ text: String) throws(AuthFileError) -> AuthConfiguration {
        try AuthConfiguration.parse(Array(text.utf8))
    }

    static func error(_ text: String) -> AuthFileError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test("a full file: identities, rotation keys, session token, notAfter, policies")
    func full() throws {
        let configuration = try Self.parse(
            """
            {"identities": [
              {"arn": "arn:aws:iam::111122223333:user/queue-processor",
               "keys": [
                 {"accessKeyId": "AKIAQUEUEPROC0000001", "secretAccessKey": "s1", "notAfter": "2027-01-01T00:00:00Z"},
                 {"accessKeyId": "ASIATEMPORARY0000001", "secretAccessKey": "s2", "sessionToken": "t"}],
               "policies": [\(Self.allowAll)]},
              {"arn": "arn:aws:iam::444455556666:role/reader", "userId": "AROAREADER",
               "keys": [{"accessKeyId": "AKIAREADER0000000001", "secretAccessKey": "s3"}]}
            ]}
            """)
        #expect(configuration.identities.count == 2)
        #expect(configuration.keys.count == 3)
        #expect(configuration.keys["AKIAQUEUEPROC0000001"]?.credential.notAfter == 1_798_761_600)
        #expect(configuration.keys["ASIATEMPORARY0000001"]?.credential.sessionToken == "t")
        let identity = try #require(configuration.authenticatedIdentity(accessKeyID: "ASIATEMPORARY0000001"))
        #expect(identity.arn == "arn:aws:iam::111122223333:user/queue-processor")
        #expect(identity.accountID == "111122223333")
        #expect(identity.userName == "queue-processor")
        #expect(identity.userID == "ASIATEMPORARY0000001")
        #expect(identity.policies.count == 1)
        let reader = try #require(configuration.authenticatedIdentity(accessKeyID: "AKIAREADER0000000001"))
        #expect(reader.userName == nil)
        #expect(reader.userID == "AROAREADER")
    }

    @Test(
        "validation errors name the path",
        arguments: [
            ("[]", "", "must be a JSON object"),
            ("{}", "identities", "required: an array of identities"),
            (#"{"identity": []}"#, "identity", "unknown member; expected one of identities"),
            (#"{"identities": [{"arn": "x", "keys": []}]}"#, "identities[0].arn", nil),
            (
                #"{"identities": [{"arn": "arn:aws:iam::111122223333:user/a", "keys": []}]}"#, "identities[0].keys",
                "required: a non-empty array of keys"
            ),
            (
                #"{"identities": [{"arn": "arn:aws:iam::111122223333:user/a", "keys": [{"accessKeyId": "AKIAAAAAAAAAAAAAAAA1", "secretAccessKey": "s"}]}, {"arn": "arn:aws:iam::111122223333:user/b", "keys": [{"accessKeyId": "AKIABBBBBBBBBBBBBBB1", "secretAccessKey": "s", "notAfter": "tomorrow"}]}]}"#,
                "identities[1].keys[0].notAfter", "must be a UTC time like 2027-01-01T00:00:00Z, got 'tomorrow'"
            ),
            (
                #"{"identities": [{"arn": "arn:aws:iam::111122223333:user/a", "keys": [{"accessKeyId": "AKIAAAAAAAAAAAAAAAA1", "secretAccesKey": "s"}]}]}"#,
                "identities[0].keys[0].secretAccesKey", nil
            ),
            (
                #"{"identities": [{"arn": "arn:aws:iam::111122223333:user/a", "keys": [{"accessKeyId": "AKIAAAAAAAAAAAAAAAA1"}]}]}"#,
                "identities[0].keys[0].secretAccessKey", "required: a non-empty string"
            ),
            (
                #"{"identities": [{"arn": "arn:aws:iam::111122223333:user/a", "keys": [{"accessKeyId": "AKIAAAAAAAAAAAAAAAA1", "secretAccessKey": "s"}, {"accessKeyId": "AKIAAAAAAAAAAAAAAAA1", "secretAccessKey": "t"}]}]}"#,
                "identities[0].keys[1].accessKeyId", nil
            ),
            (
                #"{"identities": [{"arn": "arn:aws:iam::111122223333:user/a", "keys": [{"accessKeyId": "AKIAAAAAAAAAAAAAAAA1", "secretAccessKey": "s"}], "policies": [[]]}]}"#,
                "identities[0].policies[0]", nil
            ),
        ] as [(String, String, String?)])
    func validation(text: String, path: String, message: String?) throws {
        let error = try #require(Self.error(text))
        #expect(error.path == path)
        if let message { #expect(error.message == message) }
    }

    @Test("errors never quote a secret")
    func noSecrets() throws {
        let error = try #require(
            Self.error(
                #"{"identities": [{"arn": "arn:aws:iam::111122223333:user/a", "keys": [{"accessKeyId": "AKIAAAAAAAAAAAAAAAA1", "secretAccessKey": "TOPSECRETVALUE", "sessionToken": 7}]}]}"#
            ))
        #expect(error.path == "identities[0].keys[0].sessionToken")
        #expect(!error.description.contains("TOPSECRETVALUE"))
        let json = try #require(Self.error(#"{"identities": [{"secretAccessKey": "TOPSECRETVALUE" x"#))
        #expect(!json.description.contains("TOPSECRETVALUE"))
    }
}

import KVStorePostgres
import Testing

@Suite(.timeLimit(.minutes(2))) struct PostgresSettingsTests {
    @Test func parsesUserHostPortAndDatabase() throws {
        let settings = try PostgresSettings.parse("postgres://kv@db.example:6543/items")
        #expect(settings == PostgresSettings(host: "db.example", port: 6543, user: "kv", database: "items"))
        #expect(settings.tls == .prefer)
        #expect(settings.poolSize == 20)
    }

    @Test func defaultsThePortAndAcceptsPostgresqlScheme() throws {
        let settings = try PostgresSettings.parse("postgresql://kv@127.0.0.1/kvstore")
        #expect(settings.port == 5432)
        #expect(settings.host == "127.0.0.1")
    }

    @Test func parsesBracketedIPv6AndPercentEscapes() throws {
        let settings = try PostgresSettings.parse("postgres://k%40v@[::1]:5433/my%20db")
        #expect(settings.host == "::1")
        #expect(settings.port == 5433)
        #expect(settings.user == "k@v")
        #expect(settings.database == "my db")
        #expect(settings.description == "postgres://k@v@[::1]:5433/my db")
    }

    @Test func takesThePasswordFromPGPASSWORD() throws {
        let settings = try PostgresSettings.parse("postgres://kv@h/d", environment: ["PGPASSWORD": "s3cret"])
        #expect(settings.password == "s3cret")
        #expect(!settings.description.contains("s3cret"))
    }

    @Test func aPasswordFileWinsOverPGPASSWORDAndLosesItsLineBreak() throws {
        let settings = try PostgresSettings.parse(
            "postgres://kv@h/d?password_file=/run/pw", environment: ["PGPASSWORD": "env"],
            readFile: { path in
                #expect(path == "/run/pw")
                return "from-file\n"
            })
        #expect(settings.password == "from-file")
    }

    @Test func parsesSslmodeAndPoolSize() throws {
        let settings = try PostgresSettings.parse("postgres://kv@h/d?sslmode=require&pool_size=5")
        #expect(settings.tls == .require)
        #expect(settings.poolSize == 5)
    }

    @Test(arguments: [
        ("mysql://kv@h/d", "must start with postgres://"),
        ("postgres://kv@h", "names no database"),
        ("postgres://kv@h/", "names no database"),
        ("postgres://h:5432/d", "names no user"),
        ("postgres://@h/d", "names no user"),
        ("postgres://kv:pw@h/d", "must not contain a password"),
        ("postgres://kv@/d", "names no host"),
        ("postgres://kv@h:0/d", "port must be a number from 1 to 65535"),
        ("postgres://kv@h:99999/d", "port must be a number from 1 to 65535"),
        ("postgres://kv@h:abc/d", "port must be a number from 1 to 65535"),
        ("postgres://kv@[::1/d", "no closing ']'"),
        ("postgres://kv@h/d?sslmode=verify", "sslmode must be disable, prefer or require"),
        ("postgres://kv@h/d?pool_size=0", "pool_size must be a whole number"),
        ("postgres://kv@h/d?pool_size=x", "pool_size must be a whole number"),
        ("postgres://kv@h/d?user=x", "Unknown storage URL parameter 'user'"),
        ("postgres://kv@h/d%zz", "bad %-escape"),
        ("postgres://kv@h/d?password_file=", "password_file is empty"),
    ])
    func refusesBadURLs(url: String, message: String) {
        #expect {
            try PostgresSettings.parse(url, readFile: { _ in "x" })
        } throws: { error in
            (error as? PostgresSettingsError)?.message.contains(message) == true
        }
    }

    @Test func refusesAnUnreadableOrEmptyPasswordFile() {
        #expect(throws: PostgresSettingsError.self) {
            try PostgresSettings.parse("postgres://kv@h/d?password_file=/nonexistent/pw")
        }
        #expect {
            try PostgresSettings.parse("postgres://kv@h/d?password_file=/pw", readFile: { _ in "\n" })
        } throws: { error in
            (error as? PostgresSettingsError)?.message.contains("is empty") == true
        }
    }

    @Test func tellsPostgresURLsFromFiles() {
        #expect(PostgresSettings.isPostgresURL("postgres://kv@h/d"))
        #expect(PostgresSettings.isPostgresURL("postgresql://kv@h/d"))
        #expect(!PostgresSettings.isPostgresURL("/var/lib/kv/data.sqlite"))
    }
}

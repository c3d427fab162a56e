@testable import KVStorePostgres
import Testing

/// `ReplicaHealth`: when eventually consistent reads go to the replica, and what is logged
/// (once per outage).
@Suite struct ReplicaHealthTests {
    @Test func aFailureStopsServingAndIsAnnouncedOnce() {
        var health = ReplicaHealth()
        #expect(health.isServing)
        #expect(health.readSucceeded() == .none)
        #expect(health.readFailed() == .announceDownAndRecheck)
        #expect(!health.isServing)
        // Reads begun before the outage, failing or answering late, change nothing.
        #expect(health.readFailed() == .none)
        #expect(health.readSucceeded() == .none)
        #expect(!health.isServing)
    }

    @Test func aPassedRecheckLetsReadsTryAgainAndTheFirstSuccessServes() {
        var health = ReplicaHealth()
        _ = health.readFailed()
        #expect(health.recheckPassed() == .none)
        #expect(health.state == .trial)
        #expect(health.isServing)
        #expect(health.readSucceeded() == .announceServing)
        #expect(health.state == .serving)
        #expect(health.readSucceeded() == .none)
    }

    @Test func aReplicaThatConnectsButCannotServeIsNotAnnouncedAgain() {
        var health = ReplicaHealth()
        #expect(health.readFailed() == .announceDownAndRecheck)
        for _ in 0..<3 {
            #expect(health.recheckPassed() == .none)
            #expect(health.readFailed() == .recheck)
            #expect(!health.isServing)
        }
        // A recheck result arriving while serving changes nothing.
        _ = health.recheckPassed()
        #expect(health.readSucceeded() == .announceServing)
        #expect(health.recheckPassed() == .none)
        #expect(health.state == .serving)
    }

    @Test func failuresAreSummarizedWithoutMessages() {
        #expect(PostgresReplica.failureSummary(PostgresStorageError.timedOut("connection")).contains("did not answer in time"))
        struct Other: Error { let secret = "item value" }
        #expect(PostgresReplica.failureSummary(Other()) == "Other")
    }
}

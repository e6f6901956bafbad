/// Commits concurrent writes together. Each write still runs on its own inside the shared transaction (a savepoint
/// each: one that fails is undone and answered with its error, the others go on), but the group pays for one commit,
/// one fsync and one signed checkpoint. Writes that arrive while a group commits form the next group, so a lone write
/// waits for nothing and a busy server commits fewer, larger transactions. Nothing is answered before its group has
/// committed: a failed commit fails every write of the group.
actor GroupCommit<Work: Sendable> {
    /// Runs a group's works in one transaction and commits it; one outcome per work, nil for success. Throws when
    /// the transaction as a whole failed.
    typealias RunGroup = @Sendable ([Work]) async throws -> [(any Error)?]

    private var waiting: [(work: Work, done: CheckedContinuation<Void, any Error>)] = []
    private var committing = false
    private let runGroup: RunGroup
    /// Bounds how long one transaction holds the write lock, and so what the first write of a group waits for.
    private let largestGroup: Int

    init(largestGroup: Int = 64, runGroup: @escaping RunGroup) {
        self.largestGroup = largestGroup
        self.runGroup = runGroup
    }

    /// How many writes wait for the next group (for tests that must know a group has formed).
    var waitingCount: Int { waiting.count }

    /// Runs `work` in the next group and returns once that group has committed.
    func run(_ work: Work) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            waiting.append((work, done))
            if !committing {
                committing = true
                Task { await self.commitWaiting() }
            }
        }
    }

    private func commitWaiting() async {
        while !waiting.isEmpty {
            let group = Array(waiting.prefix(largestGroup))
            waiting.removeFirst(group.count)
            let outcomes: [(any Error)?]
            do { outcomes = try await runGroup(group.map(\.work)) } catch { outcomes = Array(repeating: error, count: group.count) }
            for (member, outcome) in zip(group, outcomes) {
                if let outcome { member.done.resume(throwing: outcome) } else { member.done.resume() }
            }
        }
        committing = false
    }
}

/// Carries one write's result out of the group that ran it; read only after the group has committed.
final class GroupResult<Value>: @unchecked Sendable {
    var value: Value?
}

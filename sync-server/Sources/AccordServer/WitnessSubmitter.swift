import AccordLog
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import ServiceLifecycle

/// Sends each new checkpoint to every witness of the log with the consistency proof from the size it last cosigned
/// (C2SP tlog-witness `add-checkpoint`), and keeps the cosignatures that verify with the witness's key. A witness
/// that holds a larger log than this server's is reported loudly: the server was restored from a backup, or shows
/// another history.
public struct WitnessSubmitter: Service {
    let repository: any SyncRepository
    let interval: Duration
    let logger: Logger

    public init(repository: any SyncRepository, interval: Duration, logger: Logger) {
        self.repository = repository; self.interval = interval; self.logger = logger
    }

    /// Rounds until the server stops; a stop during the wait between rounds is a clean end, not an error.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    await submitOnce()
                    try await Task.sleep(for: interval)
                }
            }
        } catch is CancellationError {
            return
        }
    }

    /// One round: every witness behind the latest checkpoint is sent it. Failures are logged and retried next round.
    public func submitOnce() async {
        do {
            // The repository's latest checkpoint carries its note, signed by the log alone.
            guard let latest = try await repository.latestCheckpoint(), let root = latest.rootHash, let note = latest.note else { return }
            let body = CheckpointNote(origin: LogArchive.origin(for: repository.signingKey), size: latest.size, root: root)
            for witness in try await repository.witnesses() where witness.cosignedSize != latest.size {
                await submit(note, body: body.body, size: latest.size, to: witness)
            }
        } catch {
            logger.warning("witness round failed", metadata: ["error": "\(error)"])
        }
    }

    func submit(_ note: String, body: String, size: Int, to witness: WitnessInfo) async {
        let metadata: Logger.Metadata = ["witness": "\(witness.name)", "size": "\(size)", "held": "\(witness.cosignedSize)"]
        do {
            guard witness.cosignedSize < size else {
                logger.error("a witness holds a larger log than this server: was it restored from a backup?", metadata: metadata)
                return
            }
            let proof = witness.cosignedSize == 0 ? [] : try await repository.consistency(from: witness.cosignedSize, to: size).proof.compactMap { Data(base64Encoded: $0) }
            var request = URLRequest(url: URL(string: witness.url.hasSuffix("/") ? String(witness.url.dropLast()) : witness.url)!
                .appendingPathComponent("add-checkpoint"))
            request.httpMethod = "POST"
            request.httpBody = Data(AddCheckpointRequest(oldSize: witness.cosignedSize, proof: proof, note: note).body.utf8)
            request.setValue("text/plain; charset=utf-8", forHTTPHeaderField: "Content-Type")
            request.timeoutInterval = 10
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            let text = String(decoding: data, as: UTF8.self)
            switch status {
            case 200:
                let key = try WitnessKey(encoded: witness.key)
                let lines = text.split(separator: "\n").compactMap { try? NoteSignature(parsing: String($0)) }
                guard let cosignature = lines.first(where: { key.verifiedTime($0, body: body) != nil }) else {
                    logger.warning("the witness's answer carries no cosignature that verifies with its key", metadata: metadata)
                    return
                }
                try await repository.recordCosignature(witness: witness.name, size: size, line: cosignature.line)
            case 409:
                // The witness holds another size: the next round sends the proof from there.
                guard let held = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return }
                try await repository.setWitnessSize(witness.name, size: held)
                if held > size { logger.error("a witness holds a larger log than this server: was it restored from a backup?", metadata: metadata) }
            default:
                logger.warning("the witness refused the checkpoint", metadata: metadata.merging(["status": "\(status)", "reason": "\(text.prefix(200))"]) { $1 })
            }
        } catch {
            logger.warning("the witness could not be reached", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }
}

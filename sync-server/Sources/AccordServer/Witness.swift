import AccordLog
import Crypto
import Foundation
import Hummingbird
import Logging

/// A small witness (C2SP tlog-witness): for each log it knows, it keeps the last checkpoint it cosigned and cosigns
/// a new one only when a consistency proof shows the new log extends it. Two clinics' servers can witness each other,
/// so a log that shows one history to one party and another to the next is caught by whoever checks a cosignature.
public actor Witness {
    /// The last checkpoint cosigned for one log.
    struct Latest: Codable, Equatable { var size: Int; var root: Data }

    nonisolated let name: String
    let key: Curve25519.Signing.PrivateKey
    nonisolated let publicKey: Data
    let logs: [String: NoteKey]
    let stateFile: URL
    var latest: [String: Latest]
    let clock: @Sendable () -> UInt64

    /// A witness named `name` signing with `key`, for `logs`, keeping its state in `stateFile` (created when absent).
    public init(name: String, key: Curve25519.Signing.PrivateKey, logs: [NoteKey], stateFile: URL,
                clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }) throws {
        self.name = name; self.key = key; self.publicKey = key.publicKey.rawRepresentation; self.stateFile = stateFile; self.clock = clock
        self.logs = Dictionary(logs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        if let data = try? Data(contentsOf: stateFile) {
            latest = try JSONDecoder().decode([String: Latest].self, from: data)
        } else {
            latest = [:]
        }
    }

    /// This witness's verifier key.
    public nonisolated var verifierKey: WitnessKey { WitnessKey(name: name, publicKey: publicKey) }

    /// Why a checkpoint was not cosigned, with the HTTP status tlog-witness gives it.
    public struct Refusal: Error, Equatable {
        /// The status.
        public var status: HTTPResponse.Status
        /// Why, for the log's operator.
        public var message: String
        /// The size the witness holds, for a 409.
        public var size: Int?
    }

    /// Checks and cosigns `request`: the note must be signed by a known log, `old` must be the size last cosigned,
    /// and the proof must show the new log extends it. The new checkpoint is kept before the cosignature leaves.
    public func add(_ request: AddCheckpointRequest) throws -> NoteSignature {
        let parsed: (checkpoint: CheckpointNote, body: String, signatures: [NoteSignature])
        do { parsed = try CheckpointNote.parse(request.note) } catch {
            throw Refusal(status: .badRequest, message: "The checkpoint: \(error.description).")
        }
        let checkpoint = parsed.checkpoint
        guard let log = logs[checkpoint.origin] else {
            throw Refusal(status: .notFound, message: "This witness does not know the log \(checkpoint.origin).")
        }
        guard parsed.signatures.contains(where: { log.verifies($0, body: parsed.body) }) else {
            throw Refusal(status: .forbidden, message: "The checkpoint carries no valid signature by \(log.name)+\(log.keyIDHex).")
        }
        let held = latest[checkpoint.origin]
        guard request.oldSize == (held?.size ?? 0) else {
            throw Refusal(status: .conflict, message: "This witness last cosigned size \(held?.size ?? 0), not \(request.oldSize).", size: held?.size ?? 0)
        }
        guard checkpoint.size >= request.oldSize else {
            throw Refusal(status: .badRequest, message: "The checkpoint's size \(checkpoint.size) is smaller than the old size \(request.oldSize).")
        }
        if let held {
            let consistent = checkpoint.size == held.size
                ? checkpoint.root == held.root && request.proof.isEmpty
                : MerkleVerifier.verifyConsistency(oldSize: held.size, oldRoot: held.root, newSize: checkpoint.size, newRoot: checkpoint.root, proof: request.proof)
            guard consistent else {
                throw Refusal(status: .unprocessableContent, message: "The proof does not show the log of \(checkpoint.size) extends the one of \(held.size) this witness cosigned.")
            }
        } else if !request.proof.isEmpty {
            throw Refusal(status: .badRequest, message: "A first checkpoint comes with no proof.")
        }
        latest[checkpoint.origin] = Latest(size: checkpoint.size, root: checkpoint.root)
        try persist()
        return try WitnessKey.cosign(body: parsed.body, time: clock(), name: name, key: key)
    }

    /// Writes the state whole, through a temporary file, so a crash leaves the old state or the new.
    private func persist() throws {
        let temporary = stateFile.appendingPathExtension("writing")
        try JSONEncoder().encode(latest).write(to: temporary)
        let handle = try FileHandle(forUpdating: temporary)
        try handle.synchronize()
        try handle.close()
        guard rename(temporary.path, stateFile.path) == 0 else { throw ServerError("The witness could not write its state to \(stateFile.path).") }
    }
}

/// The witness's HTTP service: `POST /add-checkpoint`, and `GET /health`.
public enum WitnessServer {
    /// The path tlog-witness names.
    public static let addCheckpointPath = "/add-checkpoint"

    /// The witness application on `host:port`.
    public static func buildApplication(witness: Witness, host: String, port: Int, logger: Logger,
                                        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        router.get("/health") { _, _ in "ok" }
        router.post(RouterPath(addCheckpointPath)) { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let text = String(data: Data(body.readableBytesView), encoding: .utf8),
                  let parsed = try? AddCheckpointRequest(parsing: text) else {
                return Response(status: .badRequest, body: .init(byteBuffer: ByteBuffer(string: "The body must be 'old SIZE', the proof, a blank line and the checkpoint note.\n")))
            }
            do {
                let cosignature = try await witness.add(parsed)
                return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: cosignature.line)))
            } catch let refusal as Witness.Refusal {
                if let size = refusal.size {
                    return Response(status: refusal.status, headers: [.contentType: "text/x.tlog.size"], body: .init(byteBuffer: ByteBuffer(string: "\(size)\n")))
                }
                return Response(status: refusal.status, body: .init(byteBuffer: ByteBuffer(string: refusal.message + "\n")))
            }
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "accord-witness"),
                           onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }
}

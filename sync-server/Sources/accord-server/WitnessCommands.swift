import AccordLog
import AccordServer
import ArgumentParser
import Foundation
import Hummingbird
import Logging

struct WitnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Run a small C2SP witness for other logs, or name the witnesses that cosign this server's log.",
        subcommands: [Serve.self, Key.self, Add.self, List.self]
    )

    /// `--name` and `--key`: who the witness is and the key it cosigns with.
    struct Identity: ParsableArguments {
        @Option(help: ArgumentHelp("The witness's name, as its cosignatures carry it (e.g. witness.north-clinic.example).", valueName: "name")) var name: String
        @Option(help: ArgumentHelp("The witness's signing key (created on first use, mode 0600).", valueName: "path")) var key: String

        func load() throws -> (ServerSigningKey, WitnessKey) {
            guard !name.isEmpty, !name.contains(where: { $0.isWhitespace || $0 == "+" }) else {
                throw ValidationError("A witness name has no spaces and no '+'.")
            }
            let signing = try ServerSigningKey.loadOrCreate(at: key)
            return (signing, WitnessKey(name: name, publicKey: signing.publicKey))
        }
    }

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve", abstract: "Cosign the checkpoints of the logs given, each only when it extends the last one cosigned.",
            discussion: "Answers POST /add-checkpoint as C2SP tlog-witness defines it. The state (the last checkpoint cosigned for each log) is written before a cosignature leaves.")
        @OptionGroup var identity: Identity
        @Option(help: ArgumentHelp("Where the witness keeps the last checkpoint it cosigned for each log.", valueName: "path")) var state: String
        @Option(name: .customLong("log"), help: ArgumentHelp("A log's verifier key (accord-server audit log-key); repeat for each log.", valueName: "vkey")) var logs: [String] = []
        @Option(help: "Address to listen on.") var host = "127.0.0.1"
        @Option(help: "Port to listen on; 0 picks a free one (printed on start).") var port = 8090

        func run() async throws {
            guard !logs.isEmpty else { throw ValidationError("Give at least one log to witness with --log VKEY.") }
            var known: [NoteKey] = []
            for text in logs {
                do { known.append(try NoteKey(encoded: text)) } catch { throw ValidationError("--log: \(error.description).") }
            }
            let (signing, verifier) = try identity.load()
            let witness = try Witness(name: identity.name, key: signing.privateKey, logs: known, stateFile: URL(fileURLWithPath: state))
            var logger = Logger(label: "accord-witness")
            logger.logLevel = .info
            let app = WitnessServer.buildApplication(witness: witness, host: host, port: port, logger: logger) { port in
                print("accord-server witness \(verifier.name) listening on \(host):\(port); its key: \(verifier.encoded)")
                fflush(nil)
            }
            try await app.runService()
        }
    }

    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "key", abstract: "Print the witness's verifier key (NAME+KEYID+BASE64), creating its signing key if needed.")
        @OptionGroup var identity: Identity

        func run() async throws { print(try identity.load().1.encoded) }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Have a witness cosign this server's log: each new checkpoint is sent to it with its consistency proof.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: ArgumentHelp("The witness's name, as its verifier key says it.", valueName: "name")) var name: String
        @Option(help: ArgumentHelp("The witness's verifier key (accord-server witness key on the witness's machine).", valueName: "vkey")) var key: String
        @Option(help: ArgumentHelp("Where the witness answers (its add-checkpoint address is URL/add-checkpoint).", valueName: "url")) var url: String

        func run() async throws {
            let witness: WitnessKey
            do { witness = try WitnessKey(encoded: key) } catch { throw ValidationError("--key: \(error.description).") }
            guard witness.name == name else { throw ValidationError("The key is for the witness '\(witness.name)', not '\(name)'.") }
            guard let address = URL(string: url), ["http", "https"].contains(address.scheme ?? "") else {
                throw ValidationError("--url must be an http:// or https:// address.")
            }
            try await database.existing { try await $0.addWitness(witness, url: address.absoluteString, now: nowMilliseconds()) }
            print("Added witness \(name); the server sends it each new checkpoint from now on.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The witnesses of this server's log, with the size each last cosigned.")
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print JSON: an array of name, key, url, cosignedSize.") var json = false

        func run() async throws {
            let witnesses = try await database.existing { try await $0.witnesses() }
            if json { return try printJSON(witnesses) }
            if witnesses.isEmpty { return print("No witnesses; add one with `accord-server witness add NAME --key VKEY --url URL`.") }
            for witness in witnesses { print("\(witness.name)  \(witness.url)  cosigned up to \(witness.cosignedSize)") }
        }
    }
}

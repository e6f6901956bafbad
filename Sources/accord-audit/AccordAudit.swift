import AccordLog
import ArgumentParser
import Foundation

/// The auditor's offline check of an exported audit log: no server, no database, no network; only the folder, the
/// log's verifier key, and the hashing and signature rules of C2SP tlog-checkpoint and tlog-tiles.
@main
struct AccordAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord-audit",
        abstract: "Check an Accord audit log exported as C2SP tiles, offline.",
        subcommands: [Verify.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the checkpoint's signature, every entry and every tile, and the root rebuilt from the entries.",
            discussion: "Pin the verifier key from a source other than the folder (the server's administrator, `accord-server audit log-key`); without --key the folder's own log.vkey is used and said so. Exits 0 when everything checks, 1 otherwise.")

        @Argument(help: ArgumentHelp("The folder `accord-server audit export` wrote.", valueName: "dir")) var folder: String
        @Option(help: ArgumentHelp("The log's verifier key, NAME+KEYID+BASE64.", valueName: "vkey")) var key: String?
        @Option(name: .customLong("witness"), help: ArgumentHelp("A witness's cosignature/v1 verifier key; repeat for each.", valueName: "vkey")) var witnesses: [String] = []
        @Option(help: ArgumentHelp("How many of the witnesses given must have cosigned the checkpoint (default: all of them).", valueName: "k")) var require: Int?
        @Flag(help: "Print JSON: origin, size, root, tiles, kinds, cosignedBy, problems, ok.") var json = false

        func run() throws {
            let root = URL(fileURLWithPath: folder)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder), isFolder.boolValue else {
                throw ValidationError("\(folder) is not a folder; give the folder `accord-server audit export --out` wrote.")
            }
            let keyText: String
            if let key {
                keyText = key
            } else {
                guard let text = try? String(contentsOf: root.appendingPathComponent("log.vkey"), encoding: .utf8) else {
                    throw ValidationError("Give the log's verifier key with --key (the folder has no log.vkey).")
                }
                keyText = text
                if !json { print("Note: the key comes from the folder itself; pin it from the server's administrator with --key.") }
            }
            let verifier: NoteKey
            do { verifier = try NoteKey(encoded: keyText) } catch { throw ValidationError("The key: \(error.description).") }
            var witnessKeys: [WitnessKey] = []
            for text in witnesses {
                do { witnessKeys.append(try WitnessKey(encoded: text)) } catch { throw ValidationError("--witness: \(error.description).") }
            }
            let required = require ?? witnessKeys.count
            guard (0...witnessKeys.count).contains(required) else { throw ValidationError("--require must be 0 to the number of --witness keys given (\(witnessKeys.count)).") }
            let report = TileArchiveCheck.run(key: verifier, witnesses: witnessKeys, required: required) { path in
                try? Data(contentsOf: root.appendingPathComponent(path))
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(JSONReport(report)), as: UTF8.self))
            } else if report.ok {
                print("The audit log checks: \(report.size) entries under \(report.origin), root \(report.root), \(report.tiles) tiles and bundles.")
                for (kind, count) in report.kinds.sorted(by: { $0.key < $1.key }) { print("  \(kind): \(count)") }
                if !witnessKeys.isEmpty { print("Cosigned by \(report.cosignedBy.count) of \(witnessKeys.count) witnesses (\(required) required): \(report.cosignedBy.joined(separator: ", "))") }
            } else {
                print("The audit log FAILS the check: \(report.problems.count) problem(s).")
                for problem in report.problems.prefix(20) { print("  \(problem)") }
            }
            if !report.ok { throw ExitCode(1) }
        }
    }

    struct JSONReport: Encodable {
        var origin: String, size: Int, root: String, tiles: Int, kinds: [String: Int], cosignedBy: [String], problems: [String], ok: Bool
        init(_ report: TileArchiveCheck.Report) {
            origin = report.origin; size = report.size; root = report.root; tiles = report.tiles; kinds = report.kinds; cosignedBy = report.cosignedBy
            problems = report.problems; ok = report.ok
        }
    }
}

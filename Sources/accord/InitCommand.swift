import AccordStore
import ArgumentParser
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the store for this site and clinician, with the clinician's signing key.",
        discussion: "Run once per store. A second run reports what exists and changes nothing."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @Option(help: ArgumentHelp("This clinic's site name: lowercase letters, digits, '.', '-' or '_'.", valueName: "name"))
    var site: String
    @Option(help: ArgumentHelp("The clinician's printed name, as it appears on signed entries.", valueName: "name"))
    var clinician: String

    struct Result: Encodable {
        var store: String
        var site: String
        var clinician: String
        var clinicianId: String
        var keyFingerprint: String
        var created: Bool
    }

    func run() throws {
        let directory = store.directory
        if let existing = try EventStore.existingIdentity(at: directory) {
            let key = try? ClinicianKey.load(from: directory)
            let same = existing.site == site && existing.clinicianName == clinician
            if output.json {
                try Output.json(Result(store: directory.path, site: existing.site, clinician: existing.clinicianName,
                                       clinicianId: existing.clinicianID, keyFingerprint: key?.fingerprint ?? "",
                                       created: false))
            }
            let summary = "A store already exists at \(directory.path) for site '\(existing.site)' and clinician \(existing.clinicianName) (created \(existing.createdAt)); nothing was changed."
            guard same else {
                throw CommandFailure(summary + " To start another store, pass a different --store path.")
            }
            if !output.json { print(summary) }
            return
        }
        let created = try EventStore.create(at: directory, site: site, clinicianName: clinician)
        let key = try ClinicianKey.load(from: directory)
        if output.json {
            try Output.json(Result(store: directory.path, site: site, clinician: clinician,
                                   clinicianId: created.identity.clinicianID, keyFingerprint: key.fingerprint, created: true))
        } else {
            print("Created the store at \(directory.path) for site '\(site)', clinician \(clinician).")
            print("Signing key fingerprint: \(key.fingerprint)")
            print("Next: accord patient add --name NAME --born YYYY-MM-DD")
        }
    }
}

/// A failure to report in one line and exit with status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

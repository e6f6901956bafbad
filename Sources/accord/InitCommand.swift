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
    @Option(name: .customLong("time-zone"), help: ArgumentHelp("The clinic's time zone, an IANA name such as America/Denver (default: this computer's). Dates such as today's follow it.", valueName: "zone"))
    var timeZone: String?

    struct Result: Encodable {
        var store: String
        var site: String
        var clinician: String
        var clinicianId: String
        var keyFingerprint: String
        var timeZone: String
        var created: Bool
    }

    func run() throws {
        let directory = store.directory
        if let existing = try EventStore.existingIdentity(at: directory) {
            let key = try? ClinicianKey.load(from: directory)
            let opened = try EventStore.open(at: directory, connections: .single)
            var zone = try opened.timeZoneIdentifier()
            var summary = "A store already exists at \(directory.path) for site '\(existing.site)' and clinician \(existing.clinicianName) (created \(existing.createdAt)); nothing was changed."
            if zone == nil, let timeZone {
                // A store made before Accord kept a time zone takes the one given now, once.
                try opened.recordTimeZone(timeZone)
                zone = timeZone
                summary = "A store already exists at \(directory.path) for site '\(existing.site)' and clinician \(existing.clinicianName); its time zone is now \(timeZone), and nothing else was changed."
            }
            let same = existing.site == site && existing.clinicianName == clinician && (timeZone == nil || timeZone == zone)
            if output.json {
                try Output.json(Result(store: directory.path, site: existing.site, clinician: existing.clinicianName,
                                       clinicianId: existing.clinicianID, keyFingerprint: key?.fingerprint ?? "",
                                       timeZone: zone ?? TimeZone.current.identifier, created: false))
            }
            if let zone, let timeZone, zone != timeZone { summary += " Its time zone is \(zone), fixed when it was created." }
            guard same else {
                throw CommandFailure(summary + " To start another store, pass a different --store path.")
            }
            if !output.json { print(summary) }
            return
        }
        let zone = timeZone ?? TimeZone.current.identifier
        let created = try EventStore.create(at: directory, site: site, clinicianName: clinician, timeZone: zone)
        let key = try ClinicianKey.load(from: directory)
        if output.json {
            try Output.json(Result(store: directory.path, site: site, clinician: clinician,
                                   clinicianId: created.identity.clinicianID, keyFingerprint: key.fingerprint,
                                   timeZone: zone, created: true))
        } else {
            print("Created the store at \(directory.path) for site '\(site)', clinician \(clinician), time zone \(zone).")
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

import AccordCore
import AccordKit
import AccordExport
import AccordStore
import ArgumentParser
import Foundation

/// `accord export`: a FHIR R4 bundle for an EHR, or the patient's own copy (HTML to print, Markdown for a note).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a patient's record as a FHIR R4 bundle, or the patient's own copy as HTML or Markdown.",
        discussion: """
            One patient:   accord export --patient ID --format fhir|handout|markdown [--out FILE]
            Every patient: accord export --all --format fhir --out DIR   (one bundle per patient, DIR new or empty)
            Files are written under a temporary name and renamed, so an export is never left half-written.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case fhir, handout, markdown
    }

    @OptionGroup var store: StoreOptions
    @Option(help: ArgumentHelp("The patient: id, id prefix (4+ characters) or MRN.", valueName: "id"))
    var patient: String?
    @Flag(help: "Export every patient in the store (FHIR only; needs --out DIR).")
    var all = false
    @Option(help: ArgumentHelp("fhir, handout (print-ready HTML) or markdown.", valueName: "format"))
    var format: Format
    @Option(help: ArgumentHelp("Write here instead of standard output (a folder with --all).", valueName: "path"))
    var out: String?
    @Option(help: ArgumentHelp("Whom the patient should call, for the handout (default $ACCORD_CLINIC_CONTACT).", valueName: "text"))
    var contact: String?

    func validate() throws {
        switch (patient, all) {
        case (nil, false): throw ValidationError("Say whose record to export: --patient ID, or --all for every patient.")
        case (_?, true): throw ValidationError("Give either --patient or --all, not both.")
        default: break
        }
        if all {
            guard format == .fhir else { throw ValidationError("--all exports FHIR bundles only; use --format fhir, or export a handout with --patient.") }
            guard out != nil else { throw ValidationError("--all writes one file per patient; give the folder with --out DIR.") }
        }
    }

    func run() throws {
        let clinic = Clinic(store: try store.open())
        if all { return try exportAll(clinic) }
        let data = try render(try clinic.chart(patient ?? ""), clinic)
        guard let out else {
            FileHandle.standardOutput.write(data)
            return
        }
        try ExportFiles.write(data, to: URL(fileURLWithPath: out))
        FileHandle.standardError.write(Data("Wrote \(out) (\(data.count) bytes).\n".utf8))
    }

    func render(_ chart: PatientChart, _ clinic: Clinic) throws -> Data {
        switch format {
        case .fhir:
            return try Output.jsonData(clinic.fhirBundle(chart))
        case .handout, .markdown:
            let handout = clinic.handout(chart, contact: resolvedContact)
            return Data((format == .handout ? HandoutHTML.render(handout) : HandoutMarkdown.render(handout)).utf8)
        }
    }

    var resolvedContact: String? {
        if let contact, !contact.isEmpty { return contact }
        let environment = ProcessInfo.processInfo.environment["ACCORD_CLINIC_CONTACT"]
        return environment?.isEmpty == false ? environment : nil
    }

    func exportAll(_ clinic: Clinic) throws {
        let folder = URL(fileURLWithPath: out ?? "")
        let store = clinic.store
        let patients = try store.patients()
        let started = Date()
        var files: [(String, Data)] = []
        var skipped = 0
        let calendar = try clinic.calendar()
        for (index, entry) in patients.enumerated() {
            let events = try store.events(patient: entry.id)
            guard let record = Projection.fold(events) else { skipped += 1; continue }
            files.append(("\(entry.id).json", try render(PatientChart(record: record, events: events, calendar: calendar), clinic)))
            if (index + 1) % 100 == 0 || index + 1 == patients.count {
                let rate = Int(Double(index + 1) / max(Date().timeIntervalSince(started), 0.001))
                FileHandle.standardError.write(Data("  exported \(index + 1)/\(patients.count) patients (\(rate)/s)\n".utf8))
            }
        }
        try ExportFiles.writeFolder(files, to: folder)
        let note = skipped > 0 ? "; \(skipped) patient(s) without a registration in this store were left out" : ""
        FileHandle.standardError.write(Data("Wrote \(files.count) FHIR bundles to \(folder.path)\(note).\n".utf8))
    }
}

/// Writes export files whole or not at all: each goes to a temporary name beside its destination, then is renamed.
enum ExportFiles {
    static func write(_ data: Data, to destination: URL) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination.path, isDirectory: &isFolder), isFolder.boolValue {
            throw CommandFailure("\(destination.path) is a folder; give a file name with --out. Nothing was written.")
        }
        let parent = destination.deletingLastPathComponent()
        let temporary = parent.appendingPathComponent(".\(destination.lastPathComponent).partial-\(getpid())")
        do {
            try ExportFiles.writePrivate(data, to: temporary)
        } catch {
            throw CommandFailure("Cannot write to \(parent.path): \(reason(error)). Check that the folder exists and is writable. Nothing was written.")
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let message = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CommandFailure("Cannot write \(destination.path): \(message). Nothing was written.")
        }
    }

    /// Fills a new (or empty) folder: the files are written to a temporary folder beside it, which is then renamed.
    static func writeFolder(_ files: [(String, Data)], to folder: URL) throws {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: folder.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw CommandFailure("\(folder.path) is a file; give a new or empty folder with --out. Nothing was written.") }
            let contents = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
            guard contents.isEmpty else {
                throw CommandFailure("\(folder.path) already holds \(contents.count) file(s); give a new or empty folder so no older export gets mixed in. Nothing was written.")
            }
        }
        let parent = folder.deletingLastPathComponent()
        let temporary = parent.appendingPathComponent(".\(folder.lastPathComponent).partial-\(getpid())")
        do {
            try manager.createDirectory(at: temporary, withIntermediateDirectories: false)
            chmod(temporary.path, 0o700)
            for (name, data) in files { try writePrivate(data, to: temporary.appendingPathComponent(name)) }
        } catch {
            try? manager.removeItem(at: temporary)
            throw CommandFailure("Cannot write the export in \(parent.path): \(reason(error)). Check that the folder exists and is writable. Nothing was written.")
        }
        // rename(2) replaces an empty folder in one step, so the destination is never seen half-filled.
        guard rename(temporary.path, folder.path) == 0 else {
            let message = String(cString: strerror(errno))
            try? manager.removeItem(at: temporary)
            throw CommandFailure("Cannot create \(folder.path): \(message). Nothing was written.")
        }
    }

    /// Health data: an export is readable by its owner only (mode 0600), whatever the umask.
    static func writePrivate(_ data: Data, to url: URL) throws {
        try data.write(to: url)
        chmod(url.path, 0o600)
    }

    static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(underlying.code))) }
        if (error as NSError).code == NSFileWriteNoPermissionError { return "permission denied" }
        if (error as NSError).code == NSFileNoSuchFileError || (error as NSError).code == NSFileWriteFileExistsError { return "no such folder" }
        return "the file system refused"
    }
}

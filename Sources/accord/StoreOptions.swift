import AccordCore
import AccordKit
import AccordStore
import ArgumentParser
import Foundation

/// Where the store is: `--store PATH`, else `$ACCORD_HOME`, else `~/.accord`.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("store"), help: ArgumentHelp("The store folder (default $ACCORD_HOME, else ~/.accord).", valueName: "path"))
    var path: String?

    var directory: URL {
        if let path { return URL(fileURLWithPath: path) }
        if let home = ProcessInfo.processInfo.environment["ACCORD_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".accord")
    }

    func open() throws -> EventStore {
        try EventStore.open(at: directory, connections: .single)
    }
}

/// `--json`: print the result as JSON with stable keys instead of text.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the result as JSON (keys are listed in the README).")
    var json = false
}

/// `--patient ID`: a patient named by id, id prefix or MRN.
struct PatientOption: ParsableArguments {
    @Option(help: ArgumentHelp("The patient: id, id prefix (4+ characters) or MRN.", valueName: "id"))
    var patient: String
}

/// `--sign-as`: what the clinician's signature on a consent, agreement or taper change means.
struct SignatureOptions: ParsableArguments {
    @Option(name: .customLong("sign-as"), help: ArgumentHelp("What your signature means: author, witness or patient-acknowledgement (default author).", valueName: "meaning"),
            transform: { try Parse.choice($0, "signature meaning") as SignatureMeaning })
    var meaning: SignatureMeaning = .author

    func intent(patientAgreed: AgreementMethod? = nil) -> SigningIntent { SigningIntent(meaning: meaning, patientAgreed: patientAgreed) }
}

/// `--agreed`: how the patient agreed to a consent or a taper change; signed into the entry.
struct PatientAgreedOption: ParsableArguments {
    @Option(name: .customLong("agreed"), help: ArgumentHelp("How the patient agreed: in-person (on the clinic's device), verbal or paper (scanned); default in-person.", valueName: "how"),
            transform: { try Parse.choice($0, "way of agreeing") as AgreementMethod })
    var method: AgreementMethod = .inPerson
}

// Appends events to a store as fast as it can and prints one line per acknowledged append:
// `ACK <id>,<id>,<id>` for a batch of three notes written in one transaction. The crash test kills this process
// with SIGKILL at random points and then checks that every acknowledged event is in the store.
import AccordCore
import AccordStore
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: accord-crash-writer STORE PATIENT\n".utf8))
    exit(64)
}
let store = try EventStore.open(at: URL(fileURLWithPath: arguments[1]))
let patient = arguments[2]
var round = 0
while true {
    round += 1
    let drafts = (1...3).map { part in
        EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "batch \(round) part \(part) of 3")))
    }
    let events = try store.append(drafts)
    let line = "ACK " + events.map(\.id.hex).joined(separator: ",") + "\n"
    // Written straight to the descriptor: the acknowledgement leaves the process only after the commit returned.
    _ = line.withCString { write(STDOUT_FILENO, $0, strlen($0)) }
}

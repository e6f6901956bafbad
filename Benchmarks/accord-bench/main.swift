// Prints the store's performance figures: `scripts/build-release && .build/release/accord-bench [--events N] [--patients N]`.
// Figures, not pass/fail: the goals are in the issues and the closing notes. `--json` prints one object instead of
// lines, with the machine's floor measured in the same run (`floorRowsPerSecond`) and the import's ratio to it.
import AccordCore
import AccordStore
import BenchmarkSupport
import Foundation
import GRDB
import GRDBSQLite

struct Options {
    var events = 1_000_000
    var patients = 10_000
    var appends = 2_000
    var processRuns = 20
    var json = false

    init(_ arguments: [String]) {
        let usage = "usage: accord-bench [--events N] [--patients N] [--appends N] [--runs N] [--json]"
        Usage.check(arguments, usage: usage)
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            if flag == "--json" { json = true; continue }
            guard ["--events", "--patients", "--appends", "--runs"].contains(flag) else { Usage.fail("unknown option \(flag)", usage: usage) }
            guard let value = iterator.next().flatMap(Int.init), value > 0 else { Usage.fail("\(flag) needs a whole number above 0", usage: usage) }
            switch flag {
            case "--events": events = value
            case "--patients": patients = value
            case "--appends": appends = value
            default: processRuns = value
            }
        }
    }
}

/// Prints a line at once, so progress shows even when the output goes to a file (not with --json).
func report(_ line: String) {
    guard !CommandLine.arguments.contains("--json") else { return }
    print(line)
    fflush(nil)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

/// A plausible log: per patient a registration, then consents, goals, check-ins and notes.
func makeEvents(count: Int, patients: Int) throws -> [Event] {
    let author = Author(id: Identifiers.make(), name: "Dr. Bench")
    let ids = (0..<patients).map { _ in Identifiers.make() }
    var events: [Event] = []
    events.reserveCapacity(count)
    var wall: Int64 = 1_790_000_000_000
    let perPatient = max(1, count / patients)
    for index in 0..<count {
        wall += 1
        let patientIndex = index % patients
        let round = index / patients
        let payload: EventPayload
        if round == 0 {
            payload = .patientRegistered(PatientRegistered(name: "Patient \(patientIndex)", born: LocalDate("1960-01-01")!, mrn: "MRN\(patientIndex)"))
        } else if round % 10 == 1 {
            payload = .consentRecorded(ConsentRecorded(items: ConsentItem.all.map { ConsentItemRecord(key: $0.id, discussed: true) }, naloxone: .offered, decision: .accepts))
        } else if round % 3 == 0 {
            payload = .checkinRecorded(CheckinRecorded(peg: [round % 11, 5, 4], phq2: [1, 1], nextVisit: LocalDate("2026-12-01")))
        } else {
            payload = .noteAdded(NoteAdded(text: "Visit note \(round) of \(perPatient): discussed pacing, sleep and the walking goal."))
        }
        events.append(try Event(EventEnvelope(patient: ids[patientIndex], author: author, site: "bench", hlc: HLCTimestamp(wall: wall, logical: 0),
                                              recorded: Timestamp.iso8601(epochMilliseconds: wall), parents: [], payload: payload)))
    }
    return events
}

/// The same rows through SQLite's C API alone: one prepared statement, same schema (an empty store's file), same
/// pragmas, same batches.
func rawInsert(_ events: [Event], into path: String, batch: Int) throws -> Double {
    var db: OpaquePointer?
    guard sqlite3_open(path, &db) == SQLITE_OK else { fatalError("cannot open \(path)") }
    defer { sqlite3_close(db) }
    func exec(_ sql: String) { guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { fatalError(String(cString: sqlite3_errmsg(db))) } }
    exec("PRAGMA journal_mode = WAL"); exec("PRAGMA synchronous = FULL"); exec("PRAGMA cache_size = -32768")
    var statement: OpaquePointer?
    sqlite3_prepare_v2(db, "INSERT INTO events (id, patient, type, site, hlc_wall, hlc_logical, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING", -1, &statement, nil)
    defer { sqlite3_finalize(statement) }
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    return seconds {
        for start in stride(from: 0, to: events.count, by: batch) {
            exec("BEGIN IMMEDIATE")
            for event in events[start..<min(start + batch, events.count)] {
                let e = event.envelope
                _ = event.id.bytes.withUnsafeBytes { sqlite3_bind_blob(statement, 1, $0.baseAddress, Int32($0.count), transient) }
                sqlite3_bind_text(statement, 2, e.patient, -1, transient)
                sqlite3_bind_text(statement, 3, e.type.rawValue, -1, transient)
                sqlite3_bind_text(statement, 4, e.site, -1, transient)
                sqlite3_bind_int64(statement, 5, e.hlc.wall)
                sqlite3_bind_int64(statement, 6, Int64(e.hlc.logical))
                _ = event.bytes.withUnsafeBytes { sqlite3_bind_blob(statement, 7, $0.baseAddress, Int32($0.count), transient) }
                guard sqlite3_step(statement) == SQLITE_DONE else { fatalError(String(cString: sqlite3_errmsg(db))) }
                sqlite3_reset(statement)
            }
            exec("COMMIT")
        }
    }
}

/// Runs a process `runs` times and returns the wall time of each run in milliseconds, from spawn to exit.
func timeProcess(_ executable: URL, _ arguments: [String], runs: Int) throws -> [Double] {
    try (0..<runs).map { _ in try ProcessTiming.milliseconds(executable, arguments) }
}

let options = Options(CommandLine.arguments)
let work = FileManager.default.temporaryDirectory.appendingPathComponent("accord-bench-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }
let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
let accordBinary = products.appendingPathComponent("accord")

report("Accord store benchmark: \(options.events) events over \(options.patients) patients (SQLite \(String(cString: sqlite3_libversion())), WAL, synchronous FULL)")
var events: [Event] = []
let generation = try seconds { events = try makeEvents(count: options.events, patients: options.patients) }
let averageBytes = Double(events.reduce(0) { $0 + $1.bytes.count }) / Double(events.count)
report("  generated the events in \(format(generation)) s (average \(format(averageBytes, 0)) bytes each)")

// 0. Reading event bytes back (decode and check), what a server or a pulling site does for every event.
let sample = Array(events.prefix(100_000))
let decodeSeconds = try seconds { for event in sample { _ = try Event(bytes: event.bytes, expectedID: event.id) } }
report("Decoding and checking stored bytes: \(format(Double(sample.count) / decodeSeconds, 0)) events/s (\(format(decodeSeconds / Double(sample.count) * 1e6, 1)) µs each)")

// 1. Batched import through the store, against raw SQLite inserts of the same rows.
let batch = 10_000
let storeHome = work.appendingPathComponent("store")
let store = try EventStore.create(at: storeHome, site: "bench", clinicianName: "Dr. Bench")
let importSeconds = try seconds {
    for start in stride(from: 0, to: events.count, by: batch) {
        try store.importEvents(Array(events[start..<min(start + batch, events.count)]))
    }
}
let rawStore = try EventStore.create(at: work.appendingPathComponent("raw"), site: "bench", clinicianName: "Dr. Bench")
let rawSeconds = try rawInsert(events, into: rawStore.databaseURL.path, batch: batch)
let importRate = Double(events.count) / importSeconds, rawRate = Double(events.count) / rawSeconds
report("Batched import (\(batch) per transaction):")
report("  store API: \(format(importRate, 0)) events/s (\(format(importSeconds)) s)")
report("  raw SQLite inserts of the same rows: \(format(rawRate, 0)) events/s (\(format(rawSeconds)) s)")
report("  ratio to raw: \(format(importRate / rawRate, 2)) (the same schema without the store's checks; the goal is against the floor below)")

// 2. Single durable appends through the store API, each its own committed transaction.
let appendHome = work.appendingPathComponent("append")
let appendStore = try EventStore.create(at: appendHome, site: "bench", clinicianName: "Dr. Bench")
let patient = Identifiers.make()
try appendStore.append(EventDraft(patient: patient, payload: .patientRegistered(PatientRegistered(name: "Append Bench", born: LocalDate("1970-01-01")!))))
var latencies: [Double] = []
for index in 0..<options.appends {
    let draft = EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "append \(index)")))
    latencies.append(try seconds { try appendStore.append(draft) } * 1000)
}
report("Single durable append (\(options.appends) appends):")
report("  median \(format(percentile(latencies, 0.5), 3)) ms, p99 \(format(percentile(latencies, 0.99), 3)) ms (goal: median at most 1 ms)")

// 3. Whole-process reads with the command line.
var showMedian: Double?
if FileManager.default.isExecutableFile(atPath: accordBinary.path) {
    let middlePatient = events[options.patients / 2].envelope.patient
    let show = try timeProcess(accordBinary, ["patient", "show", "--json", "--store", storeHome.path, "--patient", middlePatient], runs: options.processRuns)
    report("`accord patient show --json` on the \(options.events)-event store (\(options.processRuns) runs):")
    report("  median \(format(percentile(show, 0.5))) ms, max \(format(show.max()!)) ms (goal at most 50 ms)")
    showMedian = percentile(show, 0.5)
    let help = try timeProcess(accordBinary, ["--help"], runs: options.processRuns)
    report("`accord --help` (\(options.processRuns) runs): median \(format(percentile(help, 0.5))) ms, max \(format(help.max()!)) ms")
} else {
    report("(build the accord binary too, `swift build -c release`, to time whole-process commands)")
}

// 4. The machine's floor, in the same run.
let floor = try Floor.rowsPerSecond(in: work, rows: options.events)
report("Floor: \(format(floor, 0)) rows/s (\(options.events) rows into a durable append-only table, unique random 32-byte id, 1,000 rows per commit, WAL, synchronous=FULL); the store's import of as many events is \(format(importRate / floor, 2))x the floor (goal at least 0.7)")
if options.json {
    var figures: [String: Any] = [
        "events": options.events, "importEventsPerSecond": importRate.rounded(), "rawEventsPerSecond": rawRate.rounded(),
        "appendMedianMs": percentile(latencies, 0.5), "appendP99Ms": percentile(latencies, 0.99),
        "floorRowsPerSecond": floor.rounded(), "floorRows": options.events, "importToFloor": importRate / floor,
    ]
    if let showMedian { figures["patientShowMedianMs"] = showMedian }
    print(String(decoding: try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys]), as: UTF8.self))
}

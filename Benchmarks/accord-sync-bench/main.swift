// Sync figures: `scripts/build-release && .build/release/accord-sync-bench [--events N] [--sites N] [--requests N]
//   [--database postgres://... --instances N]`. Starts real accord-server processes (release build) on loopback ports: one
// on a fresh SQLite database by default, or N in front of the (empty) PostgreSQL database given. With several
// instances, site A pushes through the first and site B pulls through the second; the load sites take turns.
// `scripts/sync-bench-all` runs SQLite, PostgreSQL with one instance and with two, one after the other.
// `--json` prints one object instead of lines; every run also measures the machine's floor (`Floor.swift`) and prints
// it beside the end-to-end figure, since the same binary measures up to 2x apart on two machines of this kind.
import AccordCore
import AccordStore
import AccordSync
import AccordSyncClient
import BenchmarkSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

let json = CommandLine.arguments.contains("--json")
func report(_ line: String) { if !json { print(line); fflush(nil) } }
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

var options = (events: 100_000, sites: 50, requests: 40, batch: 10, instances: 1)
var postgresURL: String?
let usage = "usage: accord-sync-bench [--events N] [--sites N] [--requests N] [--database postgres://... --instances N] [--json] [--keep]"
// --keep leaves the stores, the server's database and its key in the work folder, to profile or inspect afterwards.
let keep = CommandLine.arguments.contains("--keep")
Usage.check(CommandLine.arguments, usage: usage)
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let flag = arguments.next() {
    if flag == "--json" || flag == "--keep" { continue }
    if flag == "--database" {
        guard let url = arguments.next() else { Usage.fail("--database needs a postgres:// address", usage: usage) }
        postgresURL = url
        continue
    }
    guard ["--instances", "--events", "--sites", "--requests"].contains(flag) else { Usage.fail("unknown option \(flag)", usage: usage) }
    guard let value = arguments.next().flatMap(Int.init), value > 0 else { Usage.fail("\(flag) needs a whole number above 0", usage: usage) }
    switch flag {
    case "--instances": options.instances = value
    case "--events": options.events = value
    case "--sites": options.sites = value
    default: options.requests = value
    }
}

let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
let work = FileManager.default.temporaryDirectory.appendingPathComponent("accord-sync-bench-\(getpid())")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { if keep { FileHandle.standardError.write(Data("kept \(work.path)\n".utf8)) } else { try? FileManager.default.removeItem(at: work) } }

func run(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = products.appendingPathComponent(executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { fatalError("\(executable) \(arguments) failed") }
    return String(decoding: data, as: UTF8.self)
}

// The servers: one process per instance, all on the same database and signing key.
let database = postgresURL ?? work.appendingPathComponent("server.sqlite").path
let databaseArguments = ["--database", database, "--signing-key", work.appendingPathComponent("server.signing-key").path]
var servers: [Process] = []
var urls: [String] = []
for instance in 0..<options.instances {
    let log = work.appendingPathComponent("server-\(instance).log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    let server = Process()
    server.executableURL = products.appendingPathComponent("accord-server")
    // The benchmark measures capacity: the per-address rate limit (a policy, on by default) is off.
    server.arguments = ["serve", "--port", "0", "--rate-limit", "0"] + databaseArguments
    server.environment = ["LOG_LEVEL": "warning"]
    let logHandle = try FileHandle(forWritingTo: log)
    server.standardOutput = logHandle
    server.standardError = logHandle
    try server.run()
    servers.append(server)
    var port = 0
    for _ in 0..<600 where port == 0 {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        if let range = text.range(of: "listening on 127.0.0.1:") { port = Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0 }
        usleep(50_000)
    }
    guard port > 0 else { fatalError("accord-server did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")") }
    urls.append("http://127.0.0.1:\(port)")
}
defer { for server in servers { kill(server.processIdentifier, SIGTERM); server.waitUntilExit() } }
let url = urls[0]
func credential(_ site: String) throws -> String {
    let json = try run("accord-server", ["site", "add", site, "--json"] + databaseArguments)
    return (try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: String])["credential"]!
}

report("Accord sync benchmark: \(options.instances) accord-server instance(s) on \(urls.joined(separator: ", ")), \(postgresURL == nil ? "SQLite" : "PostgreSQL") database")

// 1. Events from site A through the server to site B.
let siteA = try EventStore.create(at: work.appendingPathComponent("a"), site: "site-a", clinicianName: "Dr. A")
let siteB = try EventStore.create(at: work.appendingPathComponent("b"), site: "site-b", clinicianName: "Dr. B")
try siteA.syncState.setRemote(url: url, credential: try credential("site-a"))
try siteB.syncState.setRemote(url: urls[1 % urls.count], credential: try credential("site-b"))
let patients = (0..<100).map { _ in Identifiers.make() }
var drafts: [EventDraft] = []
for patient in patients {
    drafts.append(EventDraft(patient: patient, payload: .patientRegistered(PatientRegistered(name: "Bench Patient", born: LocalDate("1960-01-01")!))))
    drafts.append(EventDraft(patient: patient, payload: .patientShared(PatientShared(site: "site-b"))))
}
while drafts.count < options.events {
    let index = drafts.count
    drafts.append(EventDraft(patient: patients[index % patients.count], payload: .noteAdded(NoteAdded(text: "Visit note \(index): discussed pacing, sleep and the walking goal."))))
}
for start in stride(from: 0, to: drafts.count, by: 5000) { try siteA.append(Array(drafts[start..<min(start + 5000, drafts.count)])) }
let eventBytes = try patients.reduce(0) { $0 + (try siteA.events(patient: $1).reduce(0) { $0 + $1.bytes.count }) }
// CPU time of the site (this process), of the server processes and, when PostgreSQL runs on this machine, of its
// processes; nil where a process's time cannot be read (no /proc), so that no figure counts it as nothing.
struct CPUReading { var site: Double; var server: Double?; var database: Double? }
let databaseIsLocal = postgresURL.flatMap { URL(string: $0)?.host }.map { ["127.0.0.1", "localhost", "::1", "[::1]"].contains($0) } ?? false
@MainActor func cpu() -> CPUReading {
    let each = servers.map { ProcessCPU.seconds(of: $0.processIdentifier) }
    return CPUReading(site: ProcessCPU.ownSeconds(), server: each.contains(nil) ? nil : each.reduce(0) { $0 + $1! },
                      database: databaseIsLocal ? ProcessCPU.seconds(ofProcessesNamed: "postgres") : nil)
}
let pushStart = now(), pushCPUStart = cpu()
let pushed = try await SyncClient(store: siteA).sync()
let pushSeconds = now() - pushStart, pushCPU = cpu()
let pullStart = now()
let pulled = try await SyncClient(store: siteB).sync()
let pullSeconds = now() - pullStart, pullCPU = cpu()
precondition(pushed.pushed == drafts.count && pulled.pulled == drafts.count, "sync incomplete: \(pushed) \(pulled)")
/// Microseconds of CPU per event between two readings, for each part that could be read at both.
struct PhaseCPU { let site: Double; let server: Double?; let database: Double? }
@MainActor func perEvent(_ from: CPUReading, _ to: CPUReading) -> PhaseCPU {
    func micros(_ start: Double?, _ end: Double?) -> Double? {
        guard let start, let end else { return nil }
        return (end - start) / Double(drafts.count) * 1e6
    }
    return PhaseCPU(site: micros(from.site, to.site)!, server: micros(from.server, to.server), database: micros(from.database, to.database))
}
let pushCPUPerEvent = perEvent(pushCPUStart, pushCPU), pullCPUPerEvent = perEvent(pushCPU, pullCPU)
let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
// Were every core busy with nothing else, the CPU time per event alone would allow this many events a second.
let cpuBound: Double? = pushCPUPerEvent.server.flatMap { pushServer in
    pullCPUPerEvent.server.map { pullServer in
        cores * 1e6 / (pushCPUPerEvent.site + pushServer + (pushCPUPerEvent.database ?? 0) + pullCPUPerEvent.site + pullServer + (pullCPUPerEvent.database ?? 0))
    }
}
@MainActor func describe(_ phase: PhaseCPU) -> String {
    "\(format(phase.site, 0)) µs at the site + " + (phase.server.map { "\(format($0, 0)) µs at the server" } ?? "the server's (not readable here)")
        + (phase.database.map { " + \(format($0, 0)) µs in PostgreSQL" } ?? "")
}
report("\(drafts.count) events from site A through the server to site B:")
report("  push \(format(pushSeconds, 2)) s, pull \(format(pullSeconds, 2)) s: \(format(Double(drafts.count) / (pushSeconds + pullSeconds), 0)) events/s end to end (goal: at least half the floor measured below)")
report("  CPU per event: push \(describe(pushCPUPerEvent)), pull \(describe(pullCPUPerEvent))"
       + (cpuBound.map { "; with all \(Int(cores)) cores busy that alone allows \(format($0, 0)) events/s end to end" } ?? ""))

// Bytes on the wire: the bodies as sent (push gzip-compressed, pull plain), and headers for each request.
let headerBytes = 400  // request and response headers of one exchange, measured with curl -v: about 400 bytes
let pushWire = Double(pushed.pushedBytes + pushed.pushRequests * headerBytes) / Double(eventBytes)
let pullWire = Double(pulled.pulledBytes + pulled.pullRequests * headerBytes) / Double(eventBytes)
report("  bytes on the wire per event / event size: push \(format(pushWire, 3)) (gzip, \(pushed.pushRequests) requests), pull \(format(pullWire, 3)) (\(pulled.pullRequests) requests) (average event \(eventBytes / drafts.count) bytes; goal at most 1.3)")

// 2. One new event at A, then `accord sync` at A and at B: time until B has it. The administrator has approved both
// clinicians' keys, as at a clinic past its first day (a pending key is registered again at every sync).
for fingerprint in [pushed.keyFingerprint, pulled.keyFingerprint].compactMap({ $0 }) {
    _ = try run("accord-server", ["key", "approve", fingerprint] + databaseArguments)
}
var latencies: [Double] = [], bareStarts: [Double] = []
for round in 0..<30 {
    try siteA.append(EventDraft(patient: patients[0], payload: .noteAdded(NoteAdded(text: "latency probe \(round)"))))
    let accord = products.appendingPathComponent("accord")
    latencies.append(try ProcessTiming.milliseconds(accord, ["sync", "--store", work.appendingPathComponent("a").path])
                     + ProcessTiming.milliseconds(accord, ["sync", "--store", work.appendingPathComponent("b").path]))
    // What two processes cost that do no work at all (start, parse, print usage, exit): the part no sync code can save.
    bareStarts.append(try ProcessTiming.milliseconds(accord, ["--help"]) + ProcessTiming.milliseconds(accord, ["--help"]))
}
report("One new event at A, `accord sync` at A then at B (30 rounds, whole processes): median \(format(percentile(latencies, 0.5))) ms, p90 \(format(percentile(latencies, 0.9))) ms, max \(format(latencies.max()!)) ms (goal: median at most 50 ms); two bare `accord --help` processes: median \(format(percentile(bareStarts, 0.5))) ms")

// 3. Many sites pushing small batches at once.
struct Pusher: Sendable { let credential: String; let url: String; let bodies: [Data] }
var pushers: [Pusher] = []
for index in 0..<options.sites {
    let site = "load-\(index)"
    let credential = try credential(site)
    let author = Author(id: Identifiers.make(), name: "Dr. Load")
    let patient = Identifiers.make()
    var wall = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
    var bodies: [Data] = []
    for request in 0..<options.requests {
        let events = try (0..<options.batch).map { item -> Event in
            wall += 1
            let payload: EventPayload = request == 0 && item == 0
                ? .patientRegistered(PatientRegistered(name: "Load Patient", born: LocalDate("1960-01-01")!))
                : .noteAdded(NoteAdded(text: "load note \(request)-\(item)"))
            return try Event(EventEnvelope(patient: patient, author: author, site: site, hlc: HLCTimestamp(wall: wall, logical: 0),
                                           recorded: Timestamp.iso8601(epochMilliseconds: wall), parents: [], payload: payload))
        }
        bodies.append(SyncWire.pushBody(events))
    }
    pushers.append(Pusher(credential: credential, url: urls[index % urls.count], bodies: bodies))
}
let configuration = URLSessionConfiguration.ephemeral
configuration.httpMaximumConnectionsPerHost = options.sites
let session = URLSession(configuration: configuration)
func post(_ body: Data, credential: String, to url: String) async throws -> Double {
    var request = URLRequest(url: URL(string: url + SyncWire.eventsPath)!)
    request.httpMethod = "POST"
    request.httpBody = body
    request.setValue("Bearer \(credential)", forHTTPHeaderField: "Authorization")
    request.setValue(SyncWire.contentType, forHTTPHeaderField: "Content-Type")
    let start = now()
    let status: Int = try await withCheckedThrowingContinuation { continuation in
        session.dataTask(with: request) { _, response, error in
            if let error { return continuation.resume(throwing: error) }
            continuation.resume(returning: (response as? HTTPURLResponse)?.statusCode ?? 0)
        }.resume()
    }
    precondition(status == 200, "push answered \(status)")
    return (now() - start) * 1000
}
let loadStart = now()
let loadLatencies = try await withThrowingTaskGroup(of: [Double].self) { group in
    for pusher in pushers {
        group.addTask {
            var times: [Double] = []
            for body in pusher.bodies { times.append(try await post(body, credential: pusher.credential, to: pusher.url)) }
            return times
        }
    }
    var all: [Double] = []
    for try await times in group { all += times }
    return all
}
let loadSeconds = now() - loadStart
report("\(options.sites) sites pushing \(options.batch)-event batches at once (\(loadLatencies.count) requests):")
report("  \(format(Double(loadLatencies.count) / loadSeconds, 0)) requests/s, p50 \(format(percentile(loadLatencies, 0.5))) ms, p99 \(format(percentile(loadLatencies, 0.99))) ms (goal: p99 at most 100 ms)")

// 4. The machine's floor, in the same run: what this disk does for a durable append-only table with a unique random id.
let floor = try Floor.rowsPerSecond(in: work, rows: drafts.count)
let endToEnd = Double(drafts.count) / (pushSeconds + pullSeconds)
report("Floor: \(format(floor, 0)) rows/s (\(drafts.count) rows into a durable append-only table, unique random 32-byte id, 1,000 rows per commit, WAL, synchronous=FULL); end to end is \(format(endToEnd / floor, 2))x the floor (goal at least 0.5)")
// The server's own rows for those events, written by SQLite alone: the most the push could reach with this schema.
let storedRows = postgresURL == nil ? try StoredRowsFloor.eventsPerSecond(copying: database, events: drafts.count, in: work) : nil
if let storedRows {
    report("The server's rows for those events (event, feed rows, audit entry, tree nodes) written again by SQLite alone: \(format(storedRows, 0)) events/s, \(format(storedRows / floor, 2))x the floor: no push can be faster with this schema")
}
if json {
    let figures: [String: Any] = [
        "backend": postgresURL == nil ? "sqlite" : "postgres", "instances": options.instances, "events": drafts.count,
        "endToEndEventsPerSecond": endToEnd.rounded(), "pushSeconds": pushSeconds, "pullSeconds": pullSeconds,
        "latencyMedianMs": percentile(latencies, 0.5), "latencyP90Ms": percentile(latencies, 0.9), "latencyTwoBareProcessesMs": percentile(bareStarts, 0.5),
        "pushWireRatio": pushWire, "pullWireRatio": pullWire,
        "concurrentRequestsPerSecond": (Double(loadLatencies.count) / loadSeconds).rounded(), "concurrentP99Ms": percentile(loadLatencies, 0.99),
        "floorRowsPerSecond": floor.rounded(), "floorRows": drafts.count, "endToEndToFloor": endToEnd / floor,
        "pushSiteCPUMicrosecondsPerEvent": pushCPUPerEvent.site, "pullSiteCPUMicrosecondsPerEvent": pullCPUPerEvent.site,
    ]
    // Figures that could not be measured here are left out, not written as zero.
    let optional: [String: Double?] = [
        "pushServerCPUMicrosecondsPerEvent": pushCPUPerEvent.server, "pullServerCPUMicrosecondsPerEvent": pullCPUPerEvent.server,
        "pushDatabaseCPUMicrosecondsPerEvent": pushCPUPerEvent.database, "pullDatabaseCPUMicrosecondsPerEvent": pullCPUPerEvent.database,
        "cpuBoundEventsPerSecond": cpuBound?.rounded(),
        "storedRowsEventsPerSecond": storedRows?.rounded(), "storedRowsToFloor": storedRows.map { $0 / floor },
    ]
    let measured = figures.merging(optional.compactMapValues { $0 }.mapValues { $0 as Any }) { $1 }
    print(String(decoding: try JSONSerialization.data(withJSONObject: measured, options: [.sortedKeys]), as: UTF8.self))
}

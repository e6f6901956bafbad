import AccordCore
import AccordExport
import AccordLog
import Foundation
import HTTPTypes
import Hummingbird

/// The read-only pages for compliance staff: agreements with filters, one agreement's history with each signature
/// and its verification, and the log's latest checkpoint. Plain server-rendered HTML, no scripts; every view is
/// written to the audit log.
struct AuditPages {
    let repository: any SyncRepository

    static func now() -> Int64 { ServerClock.nowMilliseconds() }

    func list(_ request: Request, context: SyncRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? {
            let text = query[Substring(name)].map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
            return text.isEmpty ? nil : text
        }
        let status = value("status")
        guard status == nil || ["active", "expired", "ended"].contains(status!) else {
            return Self.page(status: .badRequest, title: "Bad filter", body: "<p>Status must be active, expired or ended.</p>")
        }
        let filter = AgreementFilter(patient: value("patient"), site: value("site"), status: status)
        let agreements = try await repository.agreements(filter, on: LocalDate(epochMilliseconds: Self.now()))
        let checkpoint = try await repository.latestCheckpoint()
        try await repository.recordRead(RecordRead(site: nil, actor: context.auditor, patient: filter.patient.flatMap { Identifiers.isValid($0) ? $0 : nil },
                                                   outcome: "ok", detail: "agreement list (\(agreements.count))", now: Self.now(),
                                                   remoteAddress: context.remoteAddress?.ipAddress))
        var body = """
            <form method="get" action="/audit"><fieldset><legend>Filter</legend>
            <label>Patient id <input name="patient" value="\(e(filter.patient ?? ""))"></label>
            <label>Site <input name="site" value="\(e(filter.site ?? ""))"></label>
            <label>Status <select name="status">
            """
        for option in ["", "active", "expired", "ended"] {
            body += "<option value=\"\(option)\"\(option == (status ?? "") ? " selected" : "")>\(option.isEmpty ? "any" : option)</option>"
        }
        body += "</select></label> <button type=\"submit\">Show</button></fieldset></form>\n"
        body += "<p>\(agreements.count) agreement(s).</p>\n<table><thead><tr><th>Patient</th><th>Agreement</th><th>Site</th><th>Status</th><th>Renew by</th><th>Versions</th><th>Signatures</th></tr></thead><tbody>\n"
        for agreement in agreements {
            let valid = agreement.versions.filter { $0.signature == "valid" }.count
            body += "<tr><td><a href=\"/audit/patients/\(e(agreement.patient))\">\(e(agreement.patientName))</a><br><code>\(e(String(agreement.patient.prefix(8))))</code></td>"
            body += "<td><a href=\"/audit/agreements/\(e(agreement.agreement))\">\(e(String(agreement.agreement.prefix(8))))</a></td>"
            body += "<td>\(e(agreement.site))</td><td class=\"\(e(agreement.status))\">\(e(agreement.status))</td><td>\(e(agreement.renewOn))</td>"
            body += "<td>\(agreement.versions.count)</td><td>\(valid) of \(agreement.versions.count) valid</td></tr>\n"
        }
        body += "</tbody></table>\n" + Self.checkpointBox(checkpoint)
        return Self.page(title: "Treatment agreements", body: body)
    }

    func detail(_ request: Request, context: SyncRequestContext) async throws -> Response {
        let id = context.parameters.get("agreement") ?? ""
        guard Identifiers.isValid(id) else {
            return Self.page(status: .badRequest, title: "Not an agreement id", body: "<p>Agreement ids are lowercase UUIDs.</p>")
        }
        let agreement = try await repository.agreements(AgreementFilter(), on: LocalDate(epochMilliseconds: Self.now())).first { $0.agreement == id }
        try await repository.recordRead(RecordRead(site: nil, actor: context.auditor, patient: agreement?.patient,
                                                   outcome: agreement == nil ? "not-found" : "ok", detail: "agreement \(id.prefix(8))",
                                                   now: Self.now(), remoteAddress: context.remoteAddress?.ipAddress))
        guard let agreement else {
            return Self.page(status: .notFound, title: "No such agreement", body: "<p>No agreement has this id. <a href=\"/audit\">All agreements</a></p>")
        }
        let checkpoint = try await repository.latestCheckpoint()
        var body = """
            <p><a href="/audit">All agreements</a></p>
            <dl><dt>Patient</dt><dd><a href="/audit/patients/\(e(agreement.patient))">\(e(agreement.patientName))</a> <code>\(e(agreement.patient))</code></dd>
            <dt>Agreement</dt><dd><code>\(e(agreement.agreement))</code></dd><dt>Site</dt><dd>\(e(agreement.site))</dd>
            <dt>Status</dt><dd>\(e(agreement.status))\(agreement.endReason.map { " (\(e($0)))" } ?? "")</dd>
            <dt>In effect from</dt><dd>\(e(agreement.effectiveOn))</dd><dt>Renew by</dt><dd>\(e(agreement.renewOn))</dd></dl>
            <h2>History</h2>

            """
        for (number, version) in agreement.versions.enumerated() {
            let verdict = version.signature == "valid" ? "<span class=\"ok\">signature valid</span>" : "<span class=\"bad\">\(e(version.signature))</span>"
            let inclusion = version.inclusionVerified
                ? "<span class=\"ok\">in the log at position \(version.logPosition ?? -1), proof verified against checkpoint \(checkpoint?.size ?? 0)</span>"
                : "<span class=\"bad\">no verified inclusion proof</span>"
            body += """
                <section class="version"><h3>\(number + 1). \(e(version.change.capitalized)) on \(e(version.recordedAt))</h3>
                <dl><dt>Signed by</dt><dd>\(e(version.signer)) (\(e(version.meaning ?? "unsigned")))</dd>
                <dt>Patient agreed</dt><dd>\(e(version.patientAgreed ?? "not recorded"))</dd>
                <dt>Site</dt><dd>\(e(version.site))</dd>
                <dt>Key</dt><dd><code>\(e(String(version.keyFingerprint?.prefix(16) ?? "none")))</code> \(e(version.keyStatus ?? ""))</dd>
                <dt>Signature</dt><dd>\(verdict)</dd><dt>Audit log</dt><dd>\(inclusion)</dd>
                <dt>Event</dt><dd><code>\(e(version.event))</code></dd>
                \(version.reason.map { "<dt>Reason</dt><dd>\(e($0))</dd>" } ?? "")</dl>
                <ol>\(version.clauses.map { "<li>\(e($0))</li>" }.joined())</ol></section>

                """
        }
        body += Self.checkpointBox(checkpoint)
        return Self.page(title: "Agreement \(agreement.agreement.prefix(8)) for \(agreement.patientName)", body: body)
    }

    /// One patient for the auditor: who, which sites hold the record, the agreements, and the trends as charts (PEG,
    /// PHQ-2, COWS, MME), so a reviewer sees at a glance how care went. The read is logged like every other.
    func patient(_ request: Request, context: SyncRequestContext) async throws -> Response {
        let id = context.parameters.get("patient") ?? ""
        guard Identifiers.isValid(id) else {
            return Self.page(status: .badRequest, title: "Not a patient id", body: "<p>Patient ids are lowercase UUIDs.</p>")
        }
        let events = try await repository.patientEventsForAudit(id)?.map { try Event(bytes: $0.bytes, signature: $0.signature) }
        let record = events.flatMap(Projection.fold)
        try await repository.recordRead(RecordRead(site: nil, actor: context.auditor, patient: id, outcome: record == nil ? "not-found" : "ok",
                                                   detail: "patient page", now: Self.now(), remoteAddress: context.remoteAddress?.ipAddress))
        guard let record else {
            return Self.page(status: .notFound, title: "No such patient", body: "<p>The server holds no record with this id. <a href=\"/audit\">All agreements</a></p>")
        }
        let agreements = try await repository.agreements(AgreementFilter(patient: id), on: LocalDate(epochMilliseconds: Self.now()))
        var body = """
            <p><a href="/audit">All agreements</a></p>
            <dl><dt>Patient</dt><dd>\(e(record.name)) <code>\(e(record.id))</code></dd><dt>Born</dt><dd>\(e(record.born.description))</dd>
            <dt>Registered</dt><dd>at \(e(record.registered.site)) by \(e(record.registered.by)) on \(e(record.registered.at))</dd>
            <dt>Care team</dt><dd>\(e(([record.registered.site] + record.sharedWith).joined(separator: ", ")))</dd>
            <dt>Entries</dt><dd>\(record.eventCount)</dd></dl>
            <h2>Treatment agreements</h2>

            """
        body += agreements.isEmpty ? "<p>None.</p>\n" : "<ul>" + agreements.map { agreement in
            "<li><a href=\"/audit/agreements/\(e(agreement.agreement))\">\(e(String(agreement.agreement.prefix(8))))</a> \(e(agreement.status)), renew by \(e(agreement.renewOn)), \(agreement.versions.count) version(s)</li>"
        }.joined() + "</ul>\n"
        body += "<h2>Trends</h2>\n"
        let trends = PatientTrends.series(record, calendar: .utc)
        body += trends.isEmpty ? "<p>No scores or opioid doses recorded.</p>\n" : trends.map(TrendSVG.figure).joined(separator: "\n")
        return Self.page(title: "Patient \(record.name)", body: body)
    }

    static func checkpointBox(_ checkpoint: Checkpoint?) -> String {
        guard let checkpoint else { return "<section class=\"checkpoint\"><h2>Audit log</h2><p>No checkpoint yet.</p></section>" }
        return """
            <section class="checkpoint"><h2>Audit log: latest signed checkpoint</h2>
            <dl><dt>Entries</dt><dd>\(checkpoint.size)</dd><dt>Root hash</dt><dd><code>\(e(checkpoint.root))</code></dd>
            <dt>Signed at</dt><dd>\(e(checkpoint.at))</dd><dt>Server key</dt><dd><code>\(e(checkpoint.key))</code></dd></dl></section>
            """
    }

    static func page(status: HTTPResponse.Status = .ok, title: String, body: String) -> Response {
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(e(title)) · Accord audit</title>
            <style>
            body { font-family: system-ui, "DejaVu Sans", sans-serif; margin: 1.5em; color: #111; }
            table { border-collapse: collapse; } th, td { border: 1px solid #aaa; padding: 0.3em 0.6em; text-align: left; }
            dt { font-weight: bold; float: left; clear: left; width: 10em; } dd { margin-left: 11em; }
            .ok { color: #075; font-weight: bold; } .bad { color: #a00; font-weight: bold; }
            .version { border-top: 1px solid #ccc; margin-top: 1em; } code { font-size: 0.9em; }
            .checkpoint { margin-top: 2em; background: #f4f4f4; padding: 0.5em 1em; }
            </style></head>
            <body><h1>\(e(title))</h1>
            \(body)
            </body></html>

            """
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

private func e(_ text: String) -> String { HandoutHTML.escape(text) }

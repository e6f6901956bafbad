/// The rules every event must keep, checked when it is written and again when it is read from elsewhere.
public enum EventRules {
    /// The longest free text an event may carry.
    public static let maximumTextLength = 10_000
    /// The most events one event may build on.
    public static let maximumParents = 64

    /// Checks an envelope and its payload; throws the first rule broken.
    public static func validate(_ envelope: EventEnvelope) throws(RuleViolation) {
        guard envelope.schema >= 1 else { throw RuleViolation("schema version \(envelope.schema) is not valid") }
        guard envelope.schema <= envelope.type.currentSchemaVersion else {
            throw RuleViolation("this \(envelope.type.rawValue) event uses schema version \(envelope.schema), newer than this Accord understands; update Accord")
        }
        guard Identifiers.isValid(envelope.patient) else { throw RuleViolation("patient id \(envelope.patient) is not a lowercase UUID") }
        guard Identifiers.isValid(envelope.author.id) else { throw RuleViolation("author id is not a lowercase UUID") }
        try text(envelope.author.name, "author name", maximum: 200)
        guard Identifiers.isValidSiteName(envelope.site) else { throw RuleViolation("site name '\(envelope.site)' is not valid: \(Identifiers.siteNameRule)") }
        guard envelope.hlc.wall > 0, envelope.hlc.logical >= 0 else { throw RuleViolation("clock timestamp \(envelope.hlc) is not valid") }
        guard Timestamp.isValid(envelope.recorded) else {
            throw RuleViolation("recorded time '\(envelope.recorded.prefix(40))' is not a UTC time such as 2026-03-14T01:30:00.000Z")
        }
        guard envelope.parents.count <= maximumParents else { throw RuleViolation("an event may build on at most \(maximumParents) others") }
        try validate(envelope.payload)
        if let signing = envelope.signing, signing.fingerprint == nil {
            throw RuleViolation("the signing key must be a base64 Ed25519 public key (32 bytes)")
        }
    }

    /// Checks a payload's fields; throws the first rule broken.
    public static func validate(_ payload: EventPayload) throws(RuleViolation) {
        switch payload {
        case .patientRegistered(let p):
            try text(p.name, "name", maximum: 200)
            if let mrn = p.mrn { try text(mrn, "MRN", maximum: 64) }
        case .demographicsCorrected(let p):
            if let name = p.name { try text(name, "name", maximum: 200) }
            if let mrn = p.mrn { try text(mrn, "MRN", maximum: 64) }
            guard p.name != nil || p.born != nil || p.mrn != nil else {
                throw RuleViolation("a demographics correction must change the name, birth date or MRN")
            }
            try text(p.reason, "reason")
        case .goalSet(let p):
            try id(p.goal, "goal"); try text(p.description, "goal text")
            if let measure = p.measure { try text(measure, "measure") }
        case .goalRevised(let p):
            try id(p.goal, "goal"); try text(p.description, "goal text")
            if let reason = p.reason { try text(reason, "reason") }
        case .goalReviewed(let p):
            try id(p.goal, "goal"); try optionalText(p.note, "note")
        case .goalMet(let p):
            try id(p.goal, "goal"); try optionalText(p.note, "note")
        case .goalDropped(let p):
            try id(p.goal, "goal"); try text(p.reason, "reason")
        case .consentRecorded(let p):
            try consent(p)
        case .agreementSigned(let p):
            try id(p.agreement, "agreement"); try clauses(p.clauses)
            guard p.renewOn > p.effectiveOn else { throw RuleViolation("the renewal date \(p.renewOn) must be after the agreement starts (\(p.effectiveOn))") }
            try optionalText(p.note, "note")
        case .agreementAmended(let p):
            try id(p.agreement, "agreement"); try clauses(p.clauses); try text(p.reason, "reason")
        case .agreementRenewed(let p):
            try id(p.agreement, "agreement"); try optionalText(p.note, "note")
        case .agreementEnded(let p):
            try id(p.agreement, "agreement"); try text(p.reason, "reason")
        case .taperStarted(let p):
            try id(p.plan, "taper plan"); try text(p.medication, "medication")
            try pace(rate: p.ratePercent, intervalDays: p.intervalDays); try steps(p.steps)
            try optionalText(p.note, "note")
        case .taperAdjusted(let p):
            try id(p.plan, "taper plan"); try pace(rate: p.ratePercent, intervalDays: p.intervalDays)
            try steps(p.steps); try text(p.reason, "reason")
        case .taperPaused(let p):
            try id(p.plan, "taper plan"); try text(p.reason, "reason")
        case .taperResumed(let p):
            try id(p.plan, "taper plan"); try optionalText(p.note, "note")
        case .taperCompleted(let p):
            try id(p.plan, "taper plan"); try optionalText(p.note, "note")
        case .checkinRecorded(let p):
            try checkin(p)
        case .medicationsChanged(let p):
            guard p.medications.count <= 100 else { throw RuleViolation("a medication list holds at most 100 entries") }
            for medication in p.medications { try text(medication, "medication", maximum: 500) }
            try optionalText(p.reason, "reason")
        case .noteAdded(let p):
            try text(p.text, "note")
        case .riskFactorsRecorded(let p):
            try riskFactors(p)
        case .patientShared(let p):
            guard Identifiers.isValidSiteName(p.site) else { throw RuleViolation("site name '\(p.site)' is not valid: \(Identifiers.siteNameRule)") }
            try optionalText(p.reason, "reason")
        case .entryCorrected(let p):
            try text(p.reason, "reason")
            switch p.replacement {
            case .entryCorrected, .entryEnteredInError:
                throw RuleViolation("a correction replaces an entry's content; to undo a correction, correct the original entry again")
            default: try validate(p.replacement)
            }
        case .entryEnteredInError(let p):
            try text(p.reason, "reason")
        case .conflictResolved(let p):
            guard !p.setAside.isEmpty, !p.setAside.contains(p.kept) else {
                throw RuleViolation("a resolution keeps one side of a conflict and sets aside the others; name at least one other side")
            }
            try optionalText(p.reason, "reason")
        case .urineDrugTestRecorded(let p):
            try optionalText(p.detail, "detail")
        case .pdmpChecked(let p):
            try optionalText(p.detail, "detail")
        case .findingDiscussed(let p):
            try text(p.note, "note")
        }
    }

    /// Checks free text: not empty, not too long, no control characters.
    public static func text(_ value: String, _ what: String, maximum: Int = maximumTextLength) throws(RuleViolation) {
        // ASCII text, the common case, is checked byte by byte; anything else takes the full Unicode path.
        var visible = false, control = false, ascii = true
        for byte in value.utf8 {
            switch byte {
            case 0x09, 0x0A, 0x0D, 0x20: break
            case 0..<0x20, 0x7F: control = true
            case 0x80...: ascii = false
            default: visible = true
            }
        }
        if !ascii {
            visible = !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            control = value.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" && $0 != "\r" }
        }
        guard visible else { throw RuleViolation("the \(what) is empty; give some text") }
        guard value.utf8.count <= maximum || value.count <= maximum else {
            throw RuleViolation("the \(what) is longer than \(maximum) characters; shorten it")
        }
        guard !control else { throw RuleViolation("the \(what) contains control characters; remove them") }
    }

    static func optionalText(_ value: String?, _ what: String) throws(RuleViolation) {
        if let value { try text(value, what) }
    }

    static func id(_ value: String, _ what: String) throws(RuleViolation) {
        guard Identifiers.isValid(value) else { throw RuleViolation("\(what) id '\(value)' is not a lowercase UUID") }
    }

    static func consent(_ p: ConsentRecorded) throws(RuleViolation) {
        var seen = Set<String>()
        for item in p.items {
            guard ConsentItem.named(item.key) != nil else {
                throw RuleViolation("'\(item.key)' is not a mini-consent item; the items are \(ConsentItem.all.map(\.id).joined(separator: ", "))")
            }
            guard seen.insert(item.key).inserted else { throw RuleViolation("mini-consent item '\(item.key)' is listed twice") }
            if !item.discussed {
                guard let reason = item.reason else {
                    throw RuleViolation("mini-consent item '\(item.key)' was not discussed; give the reason")
                }
                try text(reason, "reason '\(item.key)' was not discussed")
            }
        }
        let missing = ConsentItem.all.map(\.id).filter { !seen.contains($0) }
        guard missing.isEmpty else {
            throw RuleViolation("every mini-consent item must be marked discussed or not discussed; missing: \(missing.joined(separator: ", "))")
        }
        try optionalText(p.questions, "patient's questions")
        try optionalText(p.note, "note")
    }

    static func clauses(_ keys: [String]) throws(RuleViolation) {
        guard !keys.isEmpty else { throw RuleViolation("an agreement needs at least one clause") }
        var seen = Set<String>()
        for key in keys {
            guard AgreementClause.named(key) != nil else {
                throw RuleViolation("'\(key)' is not an agreement clause; the clauses are \(AgreementClause.defaultKeys.joined(separator: ", "))")
            }
            guard seen.insert(key).inserted else { throw RuleViolation("agreement clause '\(key)' is listed twice") }
        }
    }

    static func pace(rate: Double, intervalDays: Int) throws(RuleViolation) {
        guard rate > 0, rate <= 100 else { throw RuleViolation("a taper rate must be more than 0 and at most 100 percent") }
        guard (1...366).contains(intervalDays) else { throw RuleViolation("a taper interval must be 1 to 366 days") }
    }

    static func steps(_ steps: [TaperStep]) throws(RuleViolation) {
        guard !steps.isEmpty else { throw RuleViolation("a taper plan needs at least one step") }
        guard steps.count <= 500 else { throw RuleViolation("a taper plan holds at most 500 steps") }
        for (index, step) in steps.enumerated() {
            guard step.dailyDose >= 0, step.dailyDose.isFinite else { throw RuleViolation("taper step \(index + 1) has a negative dose") }
            try text(step.unit, "dose unit", maximum: 20)
            if index > 0, step.on <= steps[index - 1].on {
                throw RuleViolation("taper steps must be in date order; step \(index + 1) is not after step \(index)")
            }
        }
    }

    static func riskFactors(_ p: RiskFactorsRecorded) throws(RuleViolation) {
        guard !p.present.isEmpty || !p.absent.isEmpty || p.onOpioidsSince != nil else {
            throw RuleViolation("record at least one risk factor as present or absent, or the date opioids were started")
        }
        let both = Set(p.present).intersection(p.absent)
        guard both.isEmpty else {
            throw RuleViolation("\(both.map(\.rawValue).sorted().joined(separator: ", ")) cannot be both present and absent")
        }
        guard Set(p.present).count == p.present.count, Set(p.absent).count == p.absent.count else {
            throw RuleViolation("a risk factor is listed twice")
        }
        try optionalText(p.note, "note")
    }

    static func checkin(_ p: CheckinRecorded) throws(RuleViolation) {
        if let peg = p.peg {
            guard peg.count == 3, peg.allSatisfy({ (0...10).contains($0) }) else {
                throw RuleViolation("PEG takes 3 scores from 0 to 10 (pain, enjoyment of life, general activity)")
            }
        }
        if let phq2 = p.phq2 {
            guard phq2.count == 2, phq2.allSatisfy({ (0...3).contains($0) }) else {
                throw RuleViolation("PHQ-2 takes 2 scores from 0 to 3")
            }
        }
        if let cows = p.cows {
            guard cows.count == CheckinInstruments.cowsItems.count else {
                throw RuleViolation("COWS takes 11 item scores; \(cows.count) were given")
            }
            for (index, (score, item)) in zip(cows, CheckinInstruments.cowsItems).enumerated() where !item.scores.contains(score) {
                throw RuleViolation("COWS item \(index + 1) (\(item.name)) is scored \(item.scores.map(String.init).joined(separator: ", ")) on the published scale; \(score) was given")
            }
        }
        for goal in p.goals ?? [] { try id(goal.goal, "goal"); try optionalText(goal.note, "goal note") }
        for (value, what) in [(p.currentDose, "current dose"), (p.sleep, "sleep"), (p.mood, "mood"),
                              (p.sideEffects, "side effects"), (p.withdrawal, "withdrawal"), (p.note, "note")] {
            try optionalText(value, what)
        }
    }
}

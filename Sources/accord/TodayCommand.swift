import AccordCore
import AccordKit
import ArgumentParser

struct TodayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "today",
        abstract: "What is due today across every patient: safety flags, results to discuss, overdue visits, checks due, renewals, taper steps, conflicts.",
        discussion: "Each line says why, since when and the rule's source. Flags that only inform (an MME threshold, a sedative on the list) are listed when raised within --days; taper steps due within --days are listed too."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var settings: FlagOptions
    @Option(help: ArgumentHelp("The window in days for new flags and coming taper steps (default 7).", valueName: "n")) var days = 7

    func validate() throws {
        guard (1...366).contains(days) else { throw ValidationError("--days must be 1 to 366.") }
    }

    func run() throws {
        let clinic = Clinic(store: try store.open())
        let calendar = try clinic.calendar()
        let items = try clinic.worklist(days: days, settings: try settings.resolved(calendar: calendar))
        if output.json { return try Output.json(items) }
        let today = calendar.today()
        guard !items.isEmpty else { return print("Nothing is due on \(today) for the patients in this store.") }
        let patients = Set(items.map(\.patient)).count
        print("Due on \(today): \(items.count) item\(items.count == 1 ? "" : "s") for \(patients) patient\(patients == 1 ? "" : "s")")
        for group in WorkGroup.allCases {
            let listed = items.filter { $0.group == group }
            guard !listed.isEmpty else { continue }
            print("")
            print("\(group.title) (\(listed.count))")
            for item in listed {
                let since = item.since.map { " since \($0)" } ?? ""
                print("  \(item.name) [\(item.patient.prefix(8))]\(item.isNew ? " NEW" : ""): \(item.title)\(since)")
                print("      \(item.why)\(item.source.map { " [\($0)]" } ?? "")")
            }
        }
    }
}

import Foundation

/// CPU time spent by processes, user and system together, in seconds: where a phase's time went when client and
/// server share the machine's cores, so that a figure can say whether it was bound by the disk or by the CPU.
public enum ProcessCPU {
    /// This process's CPU time so far.
    public static func ownSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Another running process's CPU time so far, from /proc/PID/stat (utime and stime, fields 14 and 15, in clock
    /// ticks); nil where there is no /proc.
    public static func seconds(of pid: pid_t) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name, which may hold spaces; the first of them is field 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The CPU time so far of every running process named `name` (its command name, as /proc/PID/stat gives it), as
    /// for a database server's processes on this machine; nil where there is no /proc or no such process. A process
    /// that has exited since an earlier reading takes its time with it, so hold two readings only across a phase
    /// whose processes stay up (the server keeps its database connections open).
    public static func seconds(ofProcessesNamed name: String) -> Double? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        var total: Double?
        for entry in entries where entry.allSatisfy(\.isNumber) {
            guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"),
                  stat[stat.index(after: open)..<close] == name, let pid = pid_t(entry), let seconds = seconds(of: pid) else { continue }
            total = (total ?? 0) + seconds
        }
        return total
    }

    private static func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
}

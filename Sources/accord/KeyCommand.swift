import AccordKit
import ArgumentParser
import Foundation

/// `accord key`: the clinician's signing key, and replacing it.
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Show or replace the clinician's signing key.",
        subcommands: [Show.self, Rotate.self],
        defaultSubcommand: Show.self
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the key's fingerprint and its status at the server.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let key = try Clinic(store: try store.open()).signingKey()
            if output.json { return try Output.json(["fingerprint": key.fingerprint, "status": key.status ?? "not registered"]) }
            print("Signing key \(key.fingerprint)")
            print("At the server: \(key.status ?? "not registered yet (registered at the next `accord sync`)")")
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rotate",
            abstract: "Replace the signing key (lost, exposed, or registered where it should not be).",
            discussion: "The old key is kept beside the new one as clinician.key.retired-<fingerprint>. The next `accord sync` registers the new key, pending until the administrator approves it; the administrator revokes the old one (`accord-server key revoke`). Entries signed before keep their signatures.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let rotation = try Clinic(store: try store.open()).rotateSigningKey()
            if output.json { return try Output.json(rotation) }
            print("Replaced the signing key: \(rotation.old.prefix(16)) is retired, \(rotation.new.prefix(16)) signs from now on.")
            print("Run `accord sync` to register the new key; then ask the administrator to approve \(rotation.new.prefix(16)) and revoke \(rotation.old.prefix(16)).")
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

/// https for the server: a PEM certificate chain and private key, read once at start, TLS 1.2 at least.
enum ServerTLS {
    /// The HTTP/1 server, wrapped in TLS when `configuration.tls` names the files.
    static func serverBuilder(_ configuration: SyncServerConfiguration) throws -> HTTPServerBuilder {
        let http = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .seconds(configuration.idleTimeout.components.seconds)))
        guard let files = configuration.tls else { return http }
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(files.certificateChain) } catch {
            throw ServerError("The TLS certificate \(files.certificateChain) cannot be read as PEM (\(error)); give the certificate chain in PEM form.")
        }
        guard !chain.isEmpty else { throw ServerError("The TLS certificate file \(files.certificateChain) holds no certificate.") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem) } catch {
            throw ServerError("The TLS private key \(files.privateKey) cannot be read as PEM (\(error)); give the unencrypted key in PEM form.")
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        return try .tls(http, tlsConfiguration: tls)
    }
}

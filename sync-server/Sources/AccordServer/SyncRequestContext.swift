import Hummingbird
import NIOCore

/// Per-request state: the site the credential belongs to, once `SiteAuthentication` has checked it.
public struct SyncRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var site: String?
    /// The auditor the credential belongs to, on the audit pages.
    public var auditor: String?
    /// Where the request came from, for the access log.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        site = nil
        auditor = nil
        remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { SyncServerConfiguration.default.maximumBodyBytes }
}

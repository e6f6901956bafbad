import Hummingbird

/// Per-request state: the site the credential belongs to, once `SiteAuthentication` has checked it.
public struct SyncRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var site: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        site = nil
    }

    public var maxUploadSize: Int { SyncServerConfiguration.default.maximumBodyBytes }
}

import AccordSync
import Hummingbird
import Logging

/// Builds the server application: /health open to all, every other route behind a site credential.
public enum SyncServer {
    public static func buildApplication(
        repository: any SyncRepository, configuration: SyncServerConfiguration, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let router = Router(context: SyncRequestContext.self)
        let limiter = RateLimiter(rate: configuration.rateLimit, burst: configuration.rateBurst)
        let ledger = RefusalLedger(repository: repository, windowSeconds: configuration.refusalWindowSeconds)
        let refusals = Refusals(ledger: ledger, limiter: limiter)
        router.add(middleware: RateLimiting(limiter: limiter))
        router.get(RouterPath(SyncWire.healthPath)) { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        let routes = SyncRoutes(repository: repository, configuration: configuration)
        let authenticated = router.group().add(middleware: SiteAuthentication(repository: repository, refusals: refusals))
        authenticated.post(RouterPath(SyncWire.eventsPath)) { request, context in try await routes.push(request, context: context) }
        authenticated.get(RouterPath(SyncWire.eventsPath)) { request, context in try await routes.pull(request, context: context) }
        let log = LogRoutes(repository: repository, bodyTimeout: configuration.bodyTimeout)
        authenticated.get(RouterPath(SyncWire.checkpointPath)) { request, context in try await log.checkpoint(request, context: context) }
        authenticated.get(RouterPath(SyncWire.inclusionPath)) { request, context in try await log.inclusion(request, context: context) }
        authenticated.get(RouterPath(SyncWire.consistencyPath)) { request, context in try await log.consistency(request, context: context) }
        authenticated.post(RouterPath(SyncWire.repinPath)) { request, context in try await log.repin(request, context: context) }
        authenticated.get(RouterPath(SyncWire.sitePath)) { _, context -> Response in
            guard let site = context.site else { throw APIError.unauthorized }
            return try LogRoutes.json(["site": site])
        }
        let keys = KeyRoutes(repository: repository, bodyTimeout: configuration.bodyTimeout)
        authenticated.post(RouterPath(SyncWire.keysPath)) { request, context in try await keys.register(request, context: context) }
        let pages = AuditPages(repository: repository)
        let audit = router.group(RouterPath("audit")).add(middleware: AuditorAuthentication(repository: repository, refusals: refusals))
        audit.get { request, context in try await pages.list(request, context: context) }
        audit.get(RouterPath("agreements/:agreement")) { request, context in try await pages.detail(request, context: context) }
        audit.get(RouterPath("patients/:patient")) { request, context in try await pages.patient(request, context: context) }
        let tiles = LogTileRoutes(repository: repository)
        audit.get(RouterPath("log/checkpoint")) { request, context in try await tiles.checkpoint(request, context: context) }
        audit.get(RouterPath("log/tile/**")) { request, context in try await tiles.tile(request, context: context) }
        let exports = ExportRoutes(repository: repository)
        authenticated.get(RouterPath(ExportRoutes.path)) { request, context in try await exports.fhir(request, context: context) }
        // A known route asked with another method gets 405 and the methods it answers, not 404.
        let answering: [(String, [HTTPRequest.Method])] = [
            (SyncWire.healthPath, [.get]), (SyncWire.eventsPath, [.get, .post]), (SyncWire.sitePath, [.get]), (SyncWire.keysPath, [.post]),
            (SyncWire.checkpointPath, [.get]), (SyncWire.inclusionPath, [.get]), (SyncWire.consistencyPath, [.get]), (SyncWire.repinPath, [.post]),
            ("/v1/patients/:patient/fhir", [.get]),
        ]
        for (path, answered) in answering {
            for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] where !answered.contains(method) {
                router.on(RouterPath(path), method: method) { _, _ -> Response in throw APIError.methodNotAllowed(allow: answered) }
            }
        }
        return Application(
            router: router,
            server: try ServerTLS.serverBuilder(configuration),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "accord-server"),
            services: [RefusalFlushOnStop(ledger: ledger), WitnessSubmitter(repository: repository, interval: configuration.witnessInterval, logger: logger)],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }
}

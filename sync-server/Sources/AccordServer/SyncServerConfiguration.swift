import AccordSync

/// The server's settings, each with a default; the command line overrides them.
public struct SyncServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// How far ahead of the server's clock an event's timestamp may be.
    public var maximumClockSkewMilliseconds: Int64
    public var maximumBatch: Int
    public var maximumBodyBytes: Int
    /// Requests per second allowed per address (0: no limit), and how many may come at once.
    public var rateLimit: Double
    public var rateBurst: Int
    /// Refused credentials are written to the audit log as one counted summary per window of this many seconds.
    public var refusalWindowSeconds: Int
    /// How long a connection may sit idle (no request, or a request's headers not finished) before it is closed.
    public var idleTimeout: Duration
    /// How long a request's body may take to arrive before the server answers 408.
    public var bodyTimeout: Duration
    /// How often new checkpoints are sent to the log's witnesses.
    public var witnessInterval: Duration = .seconds(10)
    /// The certificate chain and private key (PEM files) to serve https with; nil serves plain http.
    public var tls: (certificateChain: String, privateKey: String)?

    public init(host: String = "127.0.0.1", port: Int = 8080, maximumClockSkewMilliseconds: Int64 = 5 * 60 * 1000,
                maximumBatch: Int = SyncWire.maximumBatch, maximumBodyBytes: Int = SyncWire.maximumBodyBytes,
                rateLimit: Double = 50, rateBurst: Int = 500, refusalWindowSeconds: Int = 60,
                idleTimeout: Duration = .seconds(30), bodyTimeout: Duration = .seconds(30),
                tls: (certificateChain: String, privateKey: String)? = nil) {
        self.tls = tls
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.rateLimit = rateLimit
        self.rateBurst = rateBurst
        self.refusalWindowSeconds = refusalWindowSeconds
        self.host = host
        self.port = port
        self.maximumClockSkewMilliseconds = maximumClockSkewMilliseconds
        self.maximumBatch = maximumBatch
        self.maximumBodyBytes = maximumBodyBytes
    }

    public static let `default` = SyncServerConfiguration()
}

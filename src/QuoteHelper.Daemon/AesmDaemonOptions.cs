namespace QuoteHelper.Daemon;

/// <summary>Settings of the AESM-compatible daemon. Every default is stated with the reason and the risk.</summary>
public sealed class AesmDaemonOptions
{
    /// <summary>Intel's socket path (aesm-protocol.md §1.1); clients have it compiled in.</summary>
    public const string DefaultSocketPath = "/var/run/aesmd/aesm.socket";

    /// <summary>Path of the Unix socket. Default <see cref="DefaultSocketPath"/>. Its directory is created (0755) when missing.</summary>
    public string SocketPath { get; set; } = DefaultSocketPath;

    /// <summary>
    /// Mode of the socket file. Default 0666: any local user may connect, like Intel's aesmd (which uses 0777; the
    /// execute bits mean nothing on a socket). Tighten it, or set a group, to restrict who can get quotes.
    /// </summary>
    public UnixFileMode SocketMode { get; set; } =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    /// <summary>
    /// Mode of the socket's directory. Null (default): a missing directory is created 0755 (like Intel's systemd
    /// unit) and an existing one is left as it is. Set: the directory is created with this mode, or an existing one
    /// changed to it — for example 0750 with a group, so that only that group's workloads reach the socket.
    /// </summary>
    public UnixFileMode? SocketDirectoryMode { get; set; }

    /// <summary>
    /// How long a client may take to send its whole request after connecting. Default 10 s. A client that sends
    /// half a frame and stalls is closed then; it never blocks other clients (Intel's aesmd before 2.30 stalled).
    /// </summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Most connections served at once. Default 1024. Connections beyond it are closed at once without a reply
    /// (Intel's client reports SGX_ERROR_UNEXPECTED), which bounds memory under a connection flood.
    /// </summary>
    public int MaxConnections { get; set; } = 1024;

    /// <summary>Backlog of the listening socket (connections waiting to be accepted). Default 512.</summary>
    public int ListenBacklog { get; set; } = 512;

    /// <summary>How long a stopping daemon waits for in-flight requests before closing them. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Peer uids allowed to use the socket (SO_PEERCRED). Empty (the default) with <see cref="AllowedGids"/> empty
    /// allows everyone, as Intel's aesmd does. A peer is allowed when its uid or its gid is listed.
    /// </summary>
    public IList<uint> AllowedUids { get; } = [];

    /// <summary>Peer gids allowed to use the socket. See <see cref="AllowedUids"/>.</summary>
    public IList<uint> AllowedGids { get; } = [];

    /// <summary>Most requests one peer (uid) may have in flight; more are answered AESM_BUSY (18). 0 (default): no limit.</summary>
    public int MaxConcurrentPerPeer { get; set; }

    /// <summary>Most requests per second one peer (uid) may make (token bucket, burst of one second); more are answered AESM_BUSY (18). 0 (default): no limit.</summary>
    public double MaxRequestsPerSecondPerPeer { get; set; }

    /// <summary>
    /// Where to serve Prometheus metrics and health (/metrics, /healthz, /readyz), e.g. <c>http://127.0.0.1:9464</c>.
    /// Null (default): not served.
    /// </summary>
    public Uri? MetricsListen { get; set; }

    /// <summary>
    /// After handing the socket over to a successor and draining: false (default) exits; true stays alive, not
    /// ready, until SIGTERM — for supervisors that would restart an exited process (a Kubernetes container).
    /// </summary>
    public bool StayAfterHandover { get; set; }

    /// <summary>The shortest <see cref="HandoverPollInterval"/> used; shorter (zero, negative) values count as this.</summary>
    public static readonly TimeSpan MinHandoverPollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How often the daemon checks that the public path still names its socket (a successor renames its own over
    /// it). Default 200 ms; at least <see cref="MinHandoverPollInterval"/>.
    /// </summary>
    public TimeSpan HandoverPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Set by the host when a live helper serving the same state directory owns the socket path: this daemon then
    /// takes over (renames its socket over the path) instead of refusing.
    /// </summary>
    public bool TakeOverFromLiveHelper { get; set; }

    /// <summary>The predecessor's pid (as recorded in serving.json) when <see cref="TakeOverFromLiveHelper"/> is set; for logs.</summary>
    public int PredecessorPid { get; set; }

    /// <summary>Write logs as one JSON object per line instead of plain text. Default false.</summary>
    public bool JsonLogs { get; set; }
}

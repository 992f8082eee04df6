namespace QuoteHelper.Client;

/// <summary>Settings of <see cref="AesmClient"/>.</summary>
public sealed class AesmClientOptions
{
    /// <summary>Intel's socket path, compiled into every AESM client (aesm-protocol.md §1.1).</summary>
    public const string DefaultSocketPath = "/var/run/aesmd/aesm.socket";

    /// <summary>Socket path. Default <see cref="DefaultSocketPath"/>.</summary>
    public string SocketPath { get; set; } = DefaultSocketPath;

    /// <summary>
    /// Time limit of a call. Default 15 s, Intel's <c>IPC_LATENCY</c> in release builds (aesm-protocol.md §1.4).
    /// The asynchronous calls apply it to the whole exchange; the blocking calls, like Intel's client, to the send, to
    /// reading the length prefix and to reading the body, each on its own. Expiry is <c>SGX_ERROR_SERVICE_TIMEOUT</c>.
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>: no limit.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Value sent in the requests' informational <c>timeout</c> field, in milliseconds as Intel's client does
    /// (15000). Servers ignore it.
    /// </summary>
    public uint RequestTimeoutField { get; set; } = 15000;
}

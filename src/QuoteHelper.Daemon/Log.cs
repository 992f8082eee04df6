using Microsoft.Extensions.Logging;

namespace QuoteHelper.Daemon;

/// <summary>
/// The daemon's log messages, source generated with stable event ids (documented in docs/errors.md): 1xxx
/// lifecycle (11xx: the hardware backend), 2xxx per-connection protocol events.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Listening on {SocketPath} (backend {Mode}, QE SVN {QeSvn}, PCE SVN {PceSvn})")]
    public static partial void Listening(ILogger logger, string socketPath, string mode, ushort qeSvn, ushort pceSvn);

    [LoggerMessage(1001, LogLevel.Warning, "Removed stale socket {SocketPath}: nothing was listening on it")]
    public static partial void RemovedStaleSocket(ILogger logger, string socketPath);

    [LoggerMessage(1002, LogLevel.Information, "Stopping: no new connections; finishing requests in flight")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(1005, LogLevel.Information, "Stopped after {Accepted} connections ({Waited} waited briefly for their request, {Async} read asynchronously)")]
    public static partial void Stopped(ILogger logger, long accepted, long waited, long @async);

    [LoggerMessage(1100, LogLevel.Information, "DCAP quote library {LibraryPath} loaded in-proc ({Functions} functions, enclave load policy {LoadPolicy})")]
    public static partial void DcapLoaded(ILogger logger, string libraryPath, string functions, string loadPolicy);

    [LoggerMessage(1101, LogLevel.Information, "Attestation key initialised at start (pub_key_id {PublicKeyId}; empty until the first quote with the wrapper functions)")]
    public static partial void EagerKeyReady(ILogger logger, string publicKeyId);

    [LoggerMessage(1102, LogLevel.Warning, "Attestation key initialisation at start failed with AESM error {ErrorCode} ({ErrorName}); clients will see it from their own InitQuoteEx")]
    public static partial void EagerKeyFailed(ILogger logger, uint errorCode, string errorName);

    [LoggerMessage(1003, LogLevel.Warning, "Accept failed ({Error}); retrying")]
    public static partial void AcceptFailed(ILogger logger, string error);

    [LoggerMessage(1004, LogLevel.Warning, "Refused a connection: {MaxConnections} connections are being served")]
    public static partial void ConnectionLimit(ILogger logger, int maxConnections);

    [LoggerMessage(2007, LogLevel.Error, "Connection {ConnectionId} failed unexpectedly; closed")]
    public static partial void ConnectionFailed(ILogger logger, long connectionId, Exception exception);

    [LoggerMessage(2000, LogLevel.Warning, "Closed connection {ConnectionId}: length prefix {Length} is 0 or above the {Cap}-byte cap")]
    public static partial void HostileLength(ILogger logger, long connectionId, uint length, int cap);

    [LoggerMessage(2001, LogLevel.Warning, "Closed connection {ConnectionId}: no complete request within {Timeout}")]
    public static partial void ReadTimeout(ILogger logger, long connectionId, TimeSpan timeout);

    [LoggerMessage(2002, LogLevel.Warning, "Closed connection {ConnectionId} without reply: malformed request (not an aesm.message.Request) from pid {PeerPid} uid {PeerUid} gid {PeerGid}")]
    public static partial void Malformed(ILogger logger, long connectionId, int? peerPid, uint? peerUid, uint? peerGid);

    [LoggerMessage(2003, LogLevel.Warning, "Closed connection {ConnectionId} without reply: no known request in the message from pid {PeerPid} uid {PeerUid} gid {PeerGid}")]
    public static partial void UnknownRequest(ILogger logger, long connectionId, int? peerPid, uint? peerUid, uint? peerGid);

    [LoggerMessage(2004, LogLevel.Debug, "Connection {ConnectionId} ended before a complete request")]
    public static partial void EndedEarly(ILogger logger, long connectionId);

    [LoggerMessage(2005, LogLevel.Debug, "{Call} answered {ErrorCode} in {ElapsedMs:F3} ms on connection {ConnectionId} for pid {PeerPid} uid {PeerUid} gid {PeerGid}")]
    public static partial void Answered(ILogger logger, string call, uint errorCode, double elapsedMs, long connectionId, int? peerPid, uint? peerUid, uint? peerGid);

    [LoggerMessage(2006, LogLevel.Information, "{Call} failed with AESM error {ErrorCode} ({ErrorName}) on connection {ConnectionId} for pid {PeerPid} uid {PeerUid} gid {PeerGid}")]
    public static partial void AnsweredError(ILogger logger, string call, uint errorCode, string errorName, long connectionId, int? peerPid, uint? peerUid, uint? peerGid);

    [LoggerMessage(2008, LogLevel.Warning, "Refused {Call} on connection {ConnectionId} ({Decision}) for pid {PeerPid} uid {PeerUid} gid {PeerGid}")]
    public static partial void PeerRejected(ILogger logger, long connectionId, string decision, string call, int? peerPid, uint? peerUid, uint? peerGid);

    [LoggerMessage(1006, LogLevel.Information, "Handed the socket {SocketPath} over to a successor; draining and {Next}")]
    public static partial void HandedOver(ILogger logger, string socketPath, string next);

    [LoggerMessage(1007, LogLevel.Information, "Took the socket {SocketPath} over from a live helper serving the same state directory (pid {Pid})")]
    public static partial void TookOver(ILogger logger, string socketPath, int pid);

    [LoggerMessage(1008, LogLevel.Information, "Serving metrics and health on {Url}")]
    public static partial void MetricsListening(ILogger logger, string url);
}

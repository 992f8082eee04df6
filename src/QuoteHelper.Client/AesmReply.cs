using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Client;

/// <summary>
/// The outcome of one AESM call: the <c>sgx_status_t</c> Intel's client would return (transport failures and the
/// server's <c>errorCode</c> mapped as in aesm-protocol.md §8.4 and §8.6), the raw server code when there was a
/// reply, and the value on success.
/// </summary>
/// <typeparam name="T">The call's result.</typeparam>
/// <param name="Status">What <c>libsgx_quote_ex</c> would return.</param>
/// <param name="ServerError">The server's <c>errorCode</c>, or null when no reply arrived.</param>
/// <param name="Value">The result; meaningful when <see cref="IsSuccess"/>.</param>
public readonly record struct AesmReply<T>(SgxStatus Status, AesmError? ServerError, T? Value)
{
    /// <summary>True when the call succeeded.</summary>
    public bool IsSuccess => Status == SgxStatus.Success;

    /// <summary>
    /// Why the client could not connect (socket path and OS error), when that is why the call failed; else null.
    /// </summary>
    public AesmConnectFailure? ConnectFailure { get; init; }

    /// <summary>The socket path, when the call went to the socket and got no reply (a transport failure); else null.</summary>
    public string? SocketPath { get; init; }

    /// <summary>The result, or an <see cref="AesmCallException"/> describing why there is none.</summary>
    /// <exception cref="AesmCallException">The call failed.</exception>
    public T GetValueOrThrow(QuoteExCall call) =>
        IsSuccess && Value is not null ? Value : throw new AesmCallException(call, Status, ServerError, ConnectFailure, SocketPath);
}

/// <summary>Result of InitQuoteEx.</summary>
/// <param name="TargetInfo">The 512-byte QE target info (zeros for a size query).</param>
/// <param name="PublicKeyIdSize">Size of the attestation key id (32).</param>
/// <param name="PublicKeyId">The key id, when asked for.</param>
public sealed record InitQuoteExResult(byte[] TargetInfo, ulong PublicKeyIdSize, byte[]? PublicKeyId);

/// <summary>Result of GetQuoteEx.</summary>
/// <param name="Quote">The quote trimmed to its real length (436 + signature_data_len).</param>
/// <param name="QeReportInfo">The 960-byte QE report info as returned, when it was sent.</param>
public sealed record GetQuoteExResult(byte[] Quote, byte[]? QeReportInfo);

/// <summary>
/// An AESM call failed; <see cref="Status"/> is what Intel's client would have returned. When the client could not
/// connect, <see cref="ConnectFailure"/> says why (path and OS error) and the message says what to check.
/// </summary>
public sealed class AesmCallException : Exception
{
    internal AesmCallException(QuoteExCall call, SgxStatus status, AesmError? serverError,
        AesmConnectFailure? connectFailure = null, string? socketPath = null, string? retried = null)
        : base(Describe(call, status, serverError, connectFailure, socketPath ?? connectFailure?.SocketPath, retried))
    {
        Call = call;
        Status = status;
        ServerError = serverError;
        ConnectFailure = connectFailure;
        SocketPath = socketPath ?? connectFailure?.SocketPath;
    }

    /// <summary>The call that failed.</summary>
    public QuoteExCall Call { get; }

    /// <summary>The mapped status.</summary>
    public SgxStatus Status { get; }

    /// <summary>The server's code, or null when no reply arrived.</summary>
    public AesmError? ServerError { get; }

    /// <summary>Why the client could not connect, when that is why the call failed; else null.</summary>
    public AesmConnectFailure? ConnectFailure { get; }

    /// <summary>
    /// The socket path of the call: always set by <see cref="QuoteProvider"/>; from
    /// <see cref="AesmReply{T}.GetValueOrThrow"/> when no reply arrived.
    /// </summary>
    public string? SocketPath { get; }

    /// <summary>The DCAP status an application using <c>libsgx_dcap_ql</c> out-of-proc would see (§8.7).</summary>
    public Quote3Error DcapStatus => ErrorMapping.ToQuote3Error(Status);

    private static string Describe(QuoteExCall call, SgxStatus status, AesmError? serverError,
        AesmConnectFailure? connectFailure, string? socketPath, string? retried)
    {
        var code = $"{status} (0x{(uint)status:x4})";
        var after = retried is null ? "" : $" {retried}";
        if (serverError is { } error)
        {
            return $"{call} failed: AESM error {(uint)error} ({error}) → {code}{after}. See docs/errors.md.";
        }

        if (connectFailure is not null)
        {
            return $"{call} failed with {code}{after}: {connectFailure.Description} See docs/errors.md §5.";
        }

        var from = socketPath is null ? "" : $" from {socketPath}";
        return $"{call} failed: {code} before any reply{from}{after}. See docs/errors.md.";
    }
}

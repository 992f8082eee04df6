using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Client;

/// <summary>
/// Where quotes come from, decided once per process from <c>SGX_AESM_ADDR</c> exactly as DCAP decides it
/// (aesm-protocol.md §9.1): present with any value (even empty) selects out-of-proc; read once, at first use.
/// </summary>
public enum QuotingMode
{
    /// <summary>The process loads the quoting enclaves itself.</summary>
    InProc,
    /// <summary>The node's AESM service (the quote helper) generates quotes over its Unix socket.</summary>
    OutOfProc,
}

/// <summary>Settings of <see cref="QuoteProvider"/>.</summary>
public sealed class QuoteProviderOptions
{
    /// <summary>
    /// How many times to re-initialise (new target info, new report) after error 42 or a MAC mismatch. Default 5,
    /// Gramine's bound for the same situation (aesm-protocol.md §10.3).
    /// </summary>
    public int MaxReinitializations { get; set; } = 5;

    /// <summary>
    /// How many times to retry a call while the service is unavailable: the socket missing or nobody listening (see
    /// <see cref="RetryWhenCannotConnect"/>), or the connection closed without a reply. Default 20 (about 16.5 s).
    /// </summary>
    public int MaxUnavailableRetries { get; set; } = 20;

    /// <summary>
    /// Whether a call that cannot connect because the socket path is missing (ENOENT) or nobody listens on it
    /// (ECONNREFUSED) is retried. Default true: a helper restarted by its supervisor, or one killed and started again
    /// (which replaces its stale socket), is back within seconds. False fails at once with the path and the error, for
    /// a caller that would rather report than wait (the CLI's <c>quote</c>). A handover never needs it: the new
    /// socket is renamed over the path, which is never missing. Permission denied (EACCES) is never retried.
    /// </summary>
    public bool RetryWhenCannotConnect { get; set; } = true;

    /// <summary>Delay between retries while the service is unavailable; doubles up to 1 s. Default 50 ms.</summary>
    public TimeSpan UnavailableRetryDelay { get; set; } = TimeSpan.FromMilliseconds(50);
}

/// <summary>
/// The high-level way to get a quote out-of-proc: it initialises the attestation key, asks the caller's enclave for
/// a report for the QE's target info, sizes and fetches the quote, and recovers by itself from the situations Intel's
/// library leaves to every application: error 42 after a helper restart and a MAC mismatch after a QE update (re-init,
/// new target info, new report, retry; §10.3), and a socket briefly missing during a restart (bounded retries).
/// </summary>
public sealed class QuoteProvider : IDisposable
{
    private static readonly Lazy<QuotingMode> s_mode = new(() => ModeFor(Environment.GetEnvironmentVariable("SGX_AESM_ADDR")));

    private readonly AesmClient _client;
    private readonly QuoteProviderOptions _options;
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private volatile QeState? _qe;

    /// <summary>Creates a provider over <paramref name="client"/>.</summary>
    public QuoteProvider(AesmClient client, QuoteProviderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new QuoteProviderOptions();
    }

    /// <summary>
    /// DCAP's rule for a value of <c>SGX_AESM_ADDR</c>: unset is in-proc; any value, even empty, is out-of-proc. The
    /// value is never used as an address.
    /// </summary>
    public static QuotingMode ModeFor(string? sgxAesmAddr) => sgxAesmAddr is null ? QuotingMode.InProc : QuotingMode.OutOfProc;

    /// <summary>The process's quoting mode, read from <c>SGX_AESM_ADDR</c> once.</summary>
    public static QuotingMode ProcessMode => s_mode.Value;

    /// <summary>
    /// A provider for this process: out-of-proc over the default socket when <c>SGX_AESM_ADDR</c> is set.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>SGX_AESM_ADDR</c> is not set: this library has no in-proc quoting.</exception>
    public static QuoteProvider ForProcess(AesmClientOptions? options = null) => ProcessMode == QuotingMode.OutOfProc
        ? new QuoteProvider(new AesmClient(options))
        : throw new InvalidOperationException(
            "SGX_AESM_ADDR is not set, which selects in-proc quoting; this library quotes out-of-proc only. " +
            "Set SGX_AESM_ADDR=1 and mount the quote helper's /var/run/aesmd (docs/client.md).");

    private int _reinitializations;

    /// <summary>Number of re-initialisations performed so far (after 42, a MAC mismatch or a grown quote).</summary>
    public int Reinitializations => Volatile.Read(ref _reinitializations);

    /// <summary>
    /// Gets a quote for a report that <paramref name="createReport"/> makes for the given QE target info. The
    /// callback may be called again with a new target info when the QE changed.
    /// </summary>
    /// <exception cref="AesmCallException">The service failed in a way that retries do not cure.</exception>
    public async Task<byte[]> GetQuoteAsync(Func<TargetInfo, Report> createReport, CancellationToken cancellationToken = default)
    {
        var result = await GetQuoteAsync(createReport, null, cancellationToken).ConfigureAwait(false);
        return result.Quote;
    }

    /// <summary>
    /// As <see cref="GetQuoteAsync(Func{TargetInfo, Report}, CancellationToken)"/>, also asking the QE for a report
    /// back to <paramref name="appTargetInfo"/> that binds a fresh random nonce and the quote.
    /// </summary>
    public async Task<QuoteWithQeReport> GetQuoteAsync(Func<TargetInfo, Report> createReport, TargetInfo? appTargetInfo,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(createReport);
        var forceReinit = false;
        for (var attempt = 0; ; attempt++)
        {
            var qe = await GetQeAsync(forceReinit, cancellationToken).ConfigureAwait(false);
            var report = createReport(qe.TargetInfo).ToArray();
            byte[]? qeReportInfo = null;
            byte[]? nonce = null;
            if (appTargetInfo is not null)
            {
                nonce = RandomNumberGenerator.GetBytes(QeReportInfo.NonceLength);
                qeReportInfo = new QeReportInfo { Nonce = nonce, AppEnclaveTargetInfo = appTargetInfo }.ToArray();
            }

            var retried = await RetryWhileUnavailableAsync(
                () => _client.GetQuoteExAsync(report, qe.KeyId, qeReportInfo, qe.QuoteSize, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            if (retried.Reply is { IsSuccess: true, Value: { } value })
            {
                return new QuoteWithQeReport(value.Quote, nonce, value.QeReportInfo);
            }

            // 42: the service lost or changed its attestation key; MAC mismatch: the QE changed, our report was made
            // for the old target info; INVALID_PARAMETER: the quote grew (a new PCK chain after a platform update) and
            // our buffer is too small. All are cured by a fresh init, size and report (aesm-protocol.md §10.3).
            if (retried.Reply.Status is SgxStatus.ErrorAttKeyUninitialized or SgxStatus.ErrorMacMismatch or SgxStatus.ErrorInvalidParameter
                && attempt < _options.MaxReinitializations)
            {
                forceReinit = true;
                Interlocked.Increment(ref _reinitializations);
                continue;
            }

            throw Failure(QuoteExCall.GetQuoteEx, retried);
        }
    }

    private T ValueOrThrow<T>(QuoteExCall call, Retried<T> retried) =>
        retried.Reply.IsSuccess && retried.Reply.Value is { } value ? value : throw Failure(call, retried);

    // The exception names the socket path and, after retries, how long the provider kept trying.
    private AesmCallException Failure<T>(QuoteExCall call, Retried<T> retried)
    {
        var reply = retried.Reply;
        var summary = retried.Retries == 0
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"after {retried.Retries} retries in {retried.Waited.TotalSeconds:F1} s");
        return new AesmCallException(call, reply.Status, reply.ServerError, reply.ConnectFailure, _client.SocketPath, summary);
    }

    private async Task<QeState> GetQeAsync(bool forceReinit, CancellationToken cancellationToken)
    {
        var current = _qe;
        if (current is not null && !forceReinit)
        {
            return current;
        }

        await _initLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_qe is { } other && !ReferenceEquals(other, current))
            {
                return other; // another caller re-initialised while we waited
            }

            var keyId = AttestationKeyId.DefaultEcdsaP256;
            var init = ValueOrThrow(QuoteExCall.InitQuoteEx, await RetryWhileUnavailableAsync(
                () => _client.InitQuoteExAsync(keyId, wantPublicKeyId: true, cancellationToken), cancellationToken).ConfigureAwait(false));
            var size = ValueOrThrow(QuoteExCall.GetQuoteSizeEx, await RetryWhileUnavailableAsync(
                () => _client.GetQuoteSizeExAsync(keyId, cancellationToken), cancellationToken).ConfigureAwait(false));
            var state = new QeState(keyId, TargetInfo.Read(init.TargetInfo), size);
            _qe = state;
            return state;
        }
        finally
        {
            _initLock.Release();
        }
    }

    private async Task<Retried<T>> RetryWhileUnavailableAsync<T>(Func<Task<AesmReply<T>>> call, CancellationToken cancellationToken)
    {
        var delay = _options.UnavailableRetryDelay;
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            var reply = await call().ConfigureAwait(false);
            if (!IsTransient(reply) || attempt >= _options.MaxUnavailableRetries)
            {
                return new Retried<T>(reply, attempt, Stopwatch.GetElapsedTime(started));
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }

    // SERVICE_UNAVAILABLE without a server code: the socket is missing or nobody listens (a restart in progress);
    // UNEXPECTED without a server code: the connection closed without a reply (a helper that stopped while we were
    // queued). A service that answers 30 itself (e.g. refusing this peer) is not coming back by retrying, and neither
    // is a socket this user may not connect to.
    private bool IsTransient<T>(AesmReply<T> reply)
    {
        if (reply.ServerError is not null || reply.Status is not (SgxStatus.ErrorServiceUnavailable or SgxStatus.ErrorUnexpected))
        {
            return false;
        }

        return reply.ConnectFailure is not { } failure || (failure.IsTransient && _options.RetryWhenCannotConnect);
    }

    /// <inheritdoc />
    public void Dispose() => _initLock.Dispose();

    private sealed record QeState(AttestationKeyId KeyId, TargetInfo TargetInfo, uint QuoteSize);

    private readonly record struct Retried<T>(AesmReply<T> Reply, int Retries, TimeSpan Waited);
}

/// <summary>A quote, and the QE's report back to the application when one was asked for.</summary>
/// <param name="Quote">The quote bytes.</param>
/// <param name="Nonce">The nonce sent in qe_report_info, or null.</param>
/// <param name="QeReportInfo">The 960-byte qe_report_info returned, or null.</param>
public sealed record QuoteWithQeReport(byte[] Quote, byte[]? Nonce, byte[]? QeReportInfo);

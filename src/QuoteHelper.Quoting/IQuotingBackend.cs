using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Errors;

namespace QuoteHelper.Quoting;

/// <summary>
/// The quoting enclaves behind the AESM socket: the simulated platform or Intel's DCAP quote library. The daemon
/// does the protocol checks (key-id matching, field lengths, <c>buf_size</c> caps; aesm-protocol.md §6); a backend
/// does what QE3 does: certify an attestation key, size quotes, check report MACs and sign quotes. Implementations
/// are thread-safe: the daemon calls them from concurrent connections.
/// </summary>
public interface IQuotingBackend
{
    /// <summary>Who answers: mode and QE/PCE versions, for logs, metrics and health.</summary>
    BackendIdentity Identity { get; }

    /// <summary>The attestation key ids this backend advertises, in registration order (aesm-protocol.md §6.2).</summary>
    IReadOnlyList<AttestationKeyId> SupportedAttestationKeyIds { get; }

    /// <summary>
    /// InitQuoteEx with <c>b_pub_key_id = true</c>: create or reload the attestation key, have it certified, and
    /// return the QE's target info and the key's 32-byte id (SHA256(public key ‖ auth data), aesm-protocol.md §5).
    /// </summary>
    /// <param name="targetInfo">Receives the 512-byte QE target info.</param>
    /// <param name="publicKeyId">Receives the 32-byte ECDSA id.</param>
    AesmError InitializeAttestationKey(Span<byte> targetInfo, Span<byte> publicKeyId);

    /// <summary>GetQuoteSizeEx: the size of the next quote, or 42 when no attestation key is initialised.</summary>
    AesmError GetQuoteSize(out uint quoteSize);

    /// <summary>
    /// GetQuoteEx after the protocol checks: 42 without an attestation key, 3 when <paramref name="quote"/> is
    /// smaller than the quote, 47 when the report's MAC does not verify for this QE, 49 when the QE report for the
    /// application cannot be made. On success the quote is written at the start of <paramref name="quote"/> (the
    /// rest is left untouched) and, when <paramref name="qeReportInfo"/> is not empty, its QE report is filled in.
    /// </summary>
    /// <param name="report">The application's 432-byte report.</param>
    /// <param name="qeReportInfo">The 960-byte <c>sgx_qe_report_info_t</c>, or empty.</param>
    /// <param name="quote">The caller's quote buffer.</param>
    /// <param name="quoteLength">Receives the length of the quote written.</param>
    AesmError GetQuote(ReadOnlySpan<byte> report, Span<byte> qeReportInfo, Span<byte> quote, out int quoteLength);
}

/// <summary>What a backend is, for logs, metrics and health checks.</summary>
/// <param name="Mode">"simulation" or "hardware".</param>
/// <param name="QeSvn">ISVSVN of the quoting enclave.</param>
/// <param name="PceSvn">ISVSVN of the provisioning certification enclave.</param>
/// <param name="AttestationKeyId">Hex of the current attestation key's 32-byte id, or empty when none.</param>
public sealed record BackendIdentity(string Mode, ushort QeSvn, ushort PceSvn, string AttestationKeyId);

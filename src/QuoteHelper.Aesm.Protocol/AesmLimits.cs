namespace QuoteHelper.Aesm.Protocol;

/// <summary>
/// Named caps for every length that crosses the AESM socket (house-style habit 3). Intel's server has none
/// (aesm-protocol.md §1.2: it allocates whatever the 4-byte prefix says, up to 4 GiB); these values are chosen far
/// above anything a real ECDSA client sends and far below what would hurt the daemon.
/// </summary>
public static class AesmLimits
{
    /// <summary>
    /// Size of the frame header: an unsigned 32-bit little-endian body length (aesm-protocol.md §1.2). It counts the
    /// protobuf bytes only, never itself.
    /// </summary>
    public const int LengthPrefixSize = 4;

    /// <summary>
    /// Largest request body (protobuf bytes after the prefix) a server accepts: 64 KiB. Intel's largest ECDSA request
    /// is GetQuoteEx at 1666 bytes and SelectAttKeyID with the maximum of 10 ids carries about 2.6 KB
    /// (aesm-protocol.md §1.2), so 64 KiB leaves a wide margin while bounding what one connection can make us buffer.
    /// </summary>
    public const int MaxRequestBodyLength = 64 * 1024;

    /// <summary>
    /// Largest GetQuoteEx <c>buf_size</c> a server honours: 64 KiB (aesm-protocol.md §6.7, checklist item 7). The
    /// server answers with exactly <c>buf_size</c> bytes, so the client controls this allocation; a real ECDSA quote is
    /// 1052 bytes plus the PCK chain (typically 4.5–5 KB, at most about 13.3 KB with the QE's
    /// <c>MAX_CERT_DATA_SIZE</c>). Above the cap the answer is AESM_PARAMETER_ERROR (3).
    /// </summary>
    public const int MaxQuoteBufferSize = 64 * 1024;

    /// <summary>
    /// Largest response body a client accepts: 1 MiB. The biggest legitimate response is GetQuoteEx: a quote buffer of
    /// at most <see cref="MaxQuoteBufferSize"/> bytes when the server is ours (Intel's server echoes any
    /// <c>buf_size</c> the client asked for), plus the 960-byte <c>qe_report_info</c> and a few tag bytes
    /// (aesm-protocol.md §1.2, §6.7). 1 MiB covers a client that asks Intel's server for a generous buffer while still
    /// refusing a 4 GiB length prefix from a broken or hostile peer.
    /// </summary>
    public const int MaxResponseBodyLength = 1024 * 1024;
}

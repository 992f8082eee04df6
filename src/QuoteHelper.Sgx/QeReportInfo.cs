namespace QuoteHelper.Sgx;

/// <summary>
/// <c>sgx_qe_report_info_t</c> (= DCAP <c>sgx_ql_qe_report_info_t</c>), 960 bytes (aesm-protocol.md §4.6): a
/// nonce and the application enclave's target info, sent with GetQuoteEx; the QE fills in <see cref="QeReport"/>,
/// a report for the application whose report data binds <c>SHA256(nonce ‖ quote)</c>.
/// </summary>
public sealed class QeReportInfo
{
    /// <summary>Size of the structure in bytes.</summary>
    public const int Size = 960;

    /// <summary>Offset of the 16-byte nonce.</summary>
    public const int NonceOffset = 0;

    /// <summary>Length of the nonce.</summary>
    public const int NonceLength = 16;

    /// <summary>Offset of the application enclave's 512-byte target info.</summary>
    public const int AppEnclaveTargetInfoOffset = 16;

    /// <summary>Offset of the 432-byte QE report written by the server.</summary>
    public const int QeReportOffset = 528;

    /// <summary>Caller's nonce (16 bytes).</summary>
    public byte[] Nonce { get; set; } = new byte[NonceLength];

    /// <summary>Target info of the application enclave the QE report is created for.</summary>
    public TargetInfo AppEnclaveTargetInfo { get; set; } = new();

    /// <summary>The QE report (zero until the QE fills it in).</summary>
    public Report QeReport { get; set; } = new();

    /// <summary>Decodes exactly 960 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not 960 bytes.</exception>
    public static QeReportInfo Read(ReadOnlySpan<byte> source)
    {
        SgxThrow.IfWrongLength(source, Size, nameof(source));
        return new QeReportInfo
        {
            Nonce = source.Slice(NonceOffset, NonceLength).ToArray(),
            AppEnclaveTargetInfo = TargetInfo.Read(source.Slice(AppEnclaveTargetInfoOffset, TargetInfo.Size)),
            QeReport = Report.Read(source.Slice(QeReportOffset, Report.Size)),
        };
    }

    /// <summary>Encodes into the first 960 bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        SgxThrow.IfTooShort(destination, Size);
        ReportBody.Put(destination, NonceOffset, Nonce, NonceLength, nameof(Nonce));
        AppEnclaveTargetInfo.Write(destination[AppEnclaveTargetInfoOffset..]);
        QeReport.Write(destination[QeReportOffset..]);
    }

    /// <summary>Returns the 960 encoded bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        Write(bytes);
        return bytes;
    }
}

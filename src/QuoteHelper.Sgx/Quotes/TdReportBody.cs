namespace QuoteHelper.Sgx.Quotes;

/// <summary>
/// A TD report body as carried in v4/v5 quotes (dcap-quote.md §1.7): TD report 1.0 (584 bytes) or 1.5 (648 bytes,
/// adding <see cref="TeeTcbSvn2"/> and <see cref="MrServiceTd"/>). Fields are kept as raw bytes.
/// </summary>
public sealed class TdReportBody
{
    /// <summary>Size of a TD report 1.0 body.</summary>
    public const int Size10 = 584;

    /// <summary>Size of a TD report 1.5 body.</summary>
    public const int Size15 = 648;

    /// <summary>Length of one runtime measurement register (SHA-384).</summary>
    public const int MeasurementLength = 48;

    /// <summary>Start offsets of each field inside the body (dcap-quote.md §1.7).</summary>
    public static class Offsets
    {
        /// <summary><c>tee_tcb_svn</c>, 16 bytes.</summary>
        public const int TeeTcbSvn = 0;
        /// <summary><c>mr_seam</c>, 48 bytes.</summary>
        public const int MrSeam = 16;
        /// <summary><c>mrsigner_seam</c>, 48 bytes.</summary>
        public const int MrSignerSeam = 64;
        /// <summary><c>seam_attributes</c>, 8 bytes.</summary>
        public const int SeamAttributes = 112;
        /// <summary><c>td_attributes</c>, 8 bytes.</summary>
        public const int TdAttributes = 120;
        /// <summary><c>xfam</c>, 8 bytes.</summary>
        public const int Xfam = 128;
        /// <summary><c>mr_td</c>, 48 bytes.</summary>
        public const int MrTd = 136;
        /// <summary><c>mr_config_id</c>, 48 bytes.</summary>
        public const int MrConfigId = 184;
        /// <summary><c>mr_owner</c>, 48 bytes.</summary>
        public const int MrOwner = 232;
        /// <summary><c>mr_owner_config</c>, 48 bytes.</summary>
        public const int MrOwnerConfig = 280;
        /// <summary><c>rt_mr[4]</c>, 4 × 48 bytes.</summary>
        public const int RtMr = 328;
        /// <summary><c>report_data</c>, 64 bytes.</summary>
        public const int ReportData = 520;
        /// <summary><c>tee_tcb_svn2</c>, 16 bytes (TD report 1.5 only).</summary>
        public const int TeeTcbSvn2 = 584;
        /// <summary><c>mr_servicetd</c>, 48 bytes (TD report 1.5 only).</summary>
        public const int MrServiceTd = 600;
    }

    /// <summary>TEE TCB SVN (16 bytes).</summary>
    public byte[] TeeTcbSvn { get; set; } = new byte[16];
    /// <summary>Measurement of the TDX module (48 bytes).</summary>
    public byte[] MrSeam { get; set; } = new byte[MeasurementLength];
    /// <summary>Signer of the TDX module (48 bytes; zero for Intel's module).</summary>
    public byte[] MrSignerSeam { get; set; } = new byte[MeasurementLength];
    /// <summary>TDX module attributes (8 bytes).</summary>
    public byte[] SeamAttributes { get; set; } = new byte[8];
    /// <summary>TD attributes (8 bytes; bit 0 is DEBUG).</summary>
    public byte[] TdAttributes { get; set; } = new byte[8];
    /// <summary>XFAM (8 bytes).</summary>
    public byte[] Xfam { get; set; } = new byte[8];
    /// <summary>Build-time measurement of the TD (48 bytes).</summary>
    public byte[] MrTd { get; set; } = new byte[MeasurementLength];
    /// <summary>Software-defined configuration id (48 bytes).</summary>
    public byte[] MrConfigId { get; set; } = new byte[MeasurementLength];
    /// <summary>Software-defined owner id (48 bytes).</summary>
    public byte[] MrOwner { get; set; } = new byte[MeasurementLength];
    /// <summary>Software-defined owner configuration (48 bytes).</summary>
    public byte[] MrOwnerConfig { get; set; } = new byte[MeasurementLength];
    /// <summary>The four runtime measurement registers, 48 bytes each.</summary>
    public byte[][] RtMr { get; set; } = [new byte[48], new byte[48], new byte[48], new byte[48]];
    /// <summary>User data bound into the report (64 bytes).</summary>
    public byte[] ReportData { get; set; } = new byte[64];
    /// <summary>TEE TCB SVN 2 (16 bytes); null for a TD report 1.0.</summary>
    public byte[]? TeeTcbSvn2 { get; set; }
    /// <summary>Measurement of the service TD (48 bytes); null for a TD report 1.0.</summary>
    public byte[]? MrServiceTd { get; set; }

    /// <summary>True for a TD report 1.5 body (648 bytes).</summary>
    public bool IsVersion15 => TeeTcbSvn2 is not null;

    /// <summary>Encoded size: 584 or 648.</summary>
    public int Length => IsVersion15 ? Size15 : Size10;

    /// <summary>True when the TD attributes' DEBUG bit (bit 0) is set.</summary>
    public bool IsDebug => (TdAttributes[0] & 1) != 0;

    /// <summary>Decodes a body of exactly 584 (1.0) or 648 (1.5) bytes.</summary>
    /// <exception cref="ArgumentException">The length is neither 584 nor 648.</exception>
    public static TdReportBody Read(ReadOnlySpan<byte> source)
    {
        if (source.Length is not (Size10 or Size15))
        {
            throw new ArgumentException($"A TD report body has {Size10} or {Size15} bytes, got {source.Length}.", nameof(source));
        }

        var body = new TdReportBody
        {
            TeeTcbSvn = source.Slice(Offsets.TeeTcbSvn, 16).ToArray(),
            MrSeam = source.Slice(Offsets.MrSeam, MeasurementLength).ToArray(),
            MrSignerSeam = source.Slice(Offsets.MrSignerSeam, MeasurementLength).ToArray(),
            SeamAttributes = source.Slice(Offsets.SeamAttributes, 8).ToArray(),
            TdAttributes = source.Slice(Offsets.TdAttributes, 8).ToArray(),
            Xfam = source.Slice(Offsets.Xfam, 8).ToArray(),
            MrTd = source.Slice(Offsets.MrTd, MeasurementLength).ToArray(),
            MrConfigId = source.Slice(Offsets.MrConfigId, MeasurementLength).ToArray(),
            MrOwner = source.Slice(Offsets.MrOwner, MeasurementLength).ToArray(),
            MrOwnerConfig = source.Slice(Offsets.MrOwnerConfig, MeasurementLength).ToArray(),
            RtMr =
            [
                source.Slice(Offsets.RtMr, MeasurementLength).ToArray(),
                source.Slice(Offsets.RtMr + MeasurementLength, MeasurementLength).ToArray(),
                source.Slice(Offsets.RtMr + (2 * MeasurementLength), MeasurementLength).ToArray(),
                source.Slice(Offsets.RtMr + (3 * MeasurementLength), MeasurementLength).ToArray(),
            ],
            ReportData = source.Slice(Offsets.ReportData, 64).ToArray(),
        };
        if (source.Length == Size15)
        {
            body.TeeTcbSvn2 = source.Slice(Offsets.TeeTcbSvn2, 16).ToArray();
            body.MrServiceTd = source.Slice(Offsets.MrServiceTd, MeasurementLength).ToArray();
        }

        return body;
    }

    /// <summary>Encodes the body into the first <see cref="Length"/> bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The destination is too short, or a field has the wrong length.</exception>
    public void Write(Span<byte> destination)
    {
        SgxThrow.IfTooShort(destination, Length);
        ReportBody.Put(destination, Offsets.TeeTcbSvn, TeeTcbSvn, 16, nameof(TeeTcbSvn));
        ReportBody.Put(destination, Offsets.MrSeam, MrSeam, MeasurementLength, nameof(MrSeam));
        ReportBody.Put(destination, Offsets.MrSignerSeam, MrSignerSeam, MeasurementLength, nameof(MrSignerSeam));
        ReportBody.Put(destination, Offsets.SeamAttributes, SeamAttributes, 8, nameof(SeamAttributes));
        ReportBody.Put(destination, Offsets.TdAttributes, TdAttributes, 8, nameof(TdAttributes));
        ReportBody.Put(destination, Offsets.Xfam, Xfam, 8, nameof(Xfam));
        ReportBody.Put(destination, Offsets.MrTd, MrTd, MeasurementLength, nameof(MrTd));
        ReportBody.Put(destination, Offsets.MrConfigId, MrConfigId, MeasurementLength, nameof(MrConfigId));
        ReportBody.Put(destination, Offsets.MrOwner, MrOwner, MeasurementLength, nameof(MrOwner));
        ReportBody.Put(destination, Offsets.MrOwnerConfig, MrOwnerConfig, MeasurementLength, nameof(MrOwnerConfig));
        if (RtMr is not { Length: 4 })
        {
            throw new ArgumentException("RtMr must hold four registers.");
        }

        for (var i = 0; i < 4; i++)
        {
            ReportBody.Put(destination, Offsets.RtMr + (i * MeasurementLength), RtMr[i], MeasurementLength, nameof(RtMr));
        }

        ReportBody.Put(destination, Offsets.ReportData, ReportData, 64, nameof(ReportData));
        if (IsVersion15)
        {
            ReportBody.Put(destination, Offsets.TeeTcbSvn2, TeeTcbSvn2!, 16, nameof(TeeTcbSvn2));
            ReportBody.Put(destination, Offsets.MrServiceTd, MrServiceTd!, MeasurementLength, nameof(MrServiceTd));
        }
    }

    /// <summary>Returns the <see cref="Length"/> encoded bytes.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        Write(bytes);
        return bytes;
    }
}

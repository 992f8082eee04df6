namespace QuoteHelper.Quoting.Simulation;

/// <summary>
/// The simulated platform's software and hardware versions. A value that differs from the persisted state is a
/// simulated platform update: a new QE SVN gives a new QE (new MRENCLAVE, new target info) and a newly certified
/// attestation key; a new PCE SVN or CPU SVN gives a new PCK certificate (the certified TCB) and re-certifies the
/// key. Null keeps what the state directory holds (or the defaults on first start).
/// </summary>
public sealed class SimulatedPlatformOptions
{
    /// <summary>Default QE3 ISVSVN of a new platform (the QE SVN of the real sample quote).</summary>
    public const ushort DefaultQeSvn = 10;

    /// <summary>Default PCE ISVSVN of a new platform.</summary>
    public const ushort DefaultPceSvn = 13;

    /// <summary>Default CPUSVN / TCB component SVNs of a new platform (those of the real sample PCK certificate).</summary>
    public static ReadOnlySpan<byte> DefaultCpuSvn => [11, 11, 2, 2, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>QE3 ISVSVN to run; null keeps the persisted value.</summary>
    public ushort? QeSvn { get; set; }

    /// <summary>PCE ISVSVN to run; null keeps the persisted value.</summary>
    public ushort? PceSvn { get; set; }

    /// <summary>16-byte CPUSVN to run; null keeps the persisted value.</summary>
    public byte[]? CpuSvn { get; set; }

    /// <summary>
    /// When true (the default), the attestation key is loaded or certified at start, so a restarted helper serves
    /// GetQuoteEx at once. False reproduces Intel's aesmd: error 42 until a client's InitQuoteEx (aesm-protocol.md §10.1).
    /// </summary>
    public bool EagerAttestationKey { get; set; } = true;
}

using QuoteHelper.Sgx;
using QuoteHelper.Sgx.Simulation;

namespace QuoteHelper.Client;

/// <summary>
/// An enclave on the simulated platform: it has the identity you give it and creates reports for a target (the
/// QE's target info) with the simulated EREPORT (<see cref="SimulatedReportKey"/>), so the helper's QE accepts them
/// exactly as a real QE accepts a real enclave's report. Simulation only: no isolation, no security.
/// </summary>
public sealed class SimulatedEnclave
{
    private readonly SimulatedCpu _cpu;

    /// <summary>Creates an enclave on the simulated CPU <paramref name="cpu"/>.</summary>
    public SimulatedEnclave(SimulatedCpu cpu)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        _cpu = cpu;
    }

    /// <summary>Loads the simulated CPU published beside <paramref name="socketPath"/> by a helper in simulation mode.</summary>
    /// <exception cref="FileNotFoundException">No helper in simulation mode publishes a CPU there.</exception>
    /// <exception cref="InvalidDataException">The file is not a simulated CPU description.</exception>
    public static SimulatedEnclave ForSocket(string socketPath) => new(LoadCpu(SimulatedCpu.PathBesideSocket(socketPath)));

    /// <summary>Reads a simulated CPU file (at most <see cref="SimulatedCpu.MaxFileLength"/> bytes).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a simulated CPU description.</exception>
    public static SimulatedCpu LoadCpu(string path)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[SimulatedCpu.MaxFileLength + 1];
        var length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return SimulatedCpu.FromJson(buffer.AsSpan(0, length));
    }

    /// <summary>MRENCLAVE (32 bytes). Default: 32 × 0x11.</summary>
    public byte[] MrEnclave { get; init; } = Enumerable.Repeat((byte)0x11, 32).ToArray();

    /// <summary>MRSIGNER (32 bytes). Default: 32 × 0x22.</summary>
    public byte[] MrSigner { get; init; } = Enumerable.Repeat((byte)0x22, 32).ToArray();

    /// <summary>Attributes. Default INIT | MODE64BIT, XFRM 0xE7 (a production, non-debug enclave).</summary>
    public SgxAttributes Attributes { get; init; } = new(SgxAttributeFlags.Initted | SgxAttributeFlags.Mode64Bit, 0xE7);

    /// <summary>ISV product id.</summary>
    public ushort IsvProdId { get; init; }

    /// <summary>ISV security version.</summary>
    public ushort IsvSvn { get; init; }

    /// <summary>MISCSELECT.</summary>
    public uint MiscSelect { get; init; }

    /// <summary>This enclave's own target info, for QE reports made back to it (qe_report_info).</summary>
    public TargetInfo TargetInfo => new() { MrEnclave = MrEnclave, Attributes = Attributes, MiscSelect = MiscSelect };

    /// <summary>EREPORT: a report carrying <paramref name="reportData"/> (up to 64 bytes, zero padded) for <paramref name="target"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="reportData"/> is longer than 64 bytes.</exception>
    public Report CreateReport(TargetInfo target, ReadOnlySpan<byte> reportData)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (reportData.Length > 64)
        {
            throw new ArgumentException("Report data is at most 64 bytes.", nameof(reportData));
        }

        var body = new ReportBody
        {
            CpuSvn = (byte[])_cpu.CpuSvn.Clone(),
            MiscSelect = MiscSelect,
            Attributes = Attributes,
            MrEnclave = (byte[])MrEnclave.Clone(),
            MrSigner = (byte[])MrSigner.Clone(),
            IsvProdId = IsvProdId,
            IsvSvn = IsvSvn,
        };
        reportData.CopyTo(body.ReportData);
        return SimulatedReportKey.CreateReport(_cpu, body, target);
    }

    /// <summary>Checks a report made for this enclave (e.g. the QE report in qe_report_info).</summary>
    public bool VerifyReport(ReadOnlySpan<byte> report) => SimulatedReportKey.Verify(_cpu.ReportSecret, TargetInfo, report);
}

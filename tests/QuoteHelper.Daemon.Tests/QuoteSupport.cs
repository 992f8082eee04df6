using System.Buffers.Binary;
using QuoteHelper.Client;
using QuoteHelper.Sgx;

namespace QuoteHelper.Daemon.Tests;

/// <summary>Quote and report helpers shared by the GetQuoteEx tests (offsets from dcap-quote.md §1 / aesm-protocol.md §4).</summary>
internal static class QuoteSupport
{
    /// <summary>Offset of signature_data_len in a v3 quote.</summary>
    public const int SignatureDataLengthOffset = 432;

    /// <summary>436 + signature_data_len: the quote's real length inside a zero-padded buffer (§6.7).</summary>
    public static int RealLength(ReadOnlySpan<byte> quote) =>
        436 + (int)BinaryPrimitives.ReadUInt32LittleEndian(quote[SignatureDataLengthOffset..]);

    /// <summary>The 960-byte qe_report_info: nonce, app target info, 432 zero bytes for the QE report (§4.6).</summary>
    public static byte[] QeReportInfo(byte[] nonce, TargetInfo appTarget) => [.. nonce, .. appTarget.ToArray(), .. new byte[Sgx.Report.Size]];

    /// <summary>A simulated application enclave with a recognisable identity.</summary>
    public static SimulatedEnclave AppEnclave(DaemonHost host) => new(SimulatedEnclave.LoadCpu(Sgx.Simulation.SimulatedCpu.PathBesideSocket(host.SocketPath)))
    {
        MrEnclave = Enumerable.Repeat((byte)0x3C, 32).ToArray(),
        MrSigner = Enumerable.Repeat((byte)0x4D, 32).ToArray(),
        IsvProdId = 7,
        IsvSvn = 9,
    };

    /// <summary>A 432-byte report from <paramref name="enclave"/> for <paramref name="target"/>.</summary>
    public static byte[] Report(SimulatedEnclave enclave, TargetInfo target, byte fill = 0x5E) =>
        enclave.CreateReport(target, Enumerable.Repeat(fill, 64).ToArray()).ToArray();
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace QuoteHelper.Sgx.Simulation;

/// <summary>
/// The simulated platform's EREPORT / EGETKEY(REPORT_KEY): how a simulated enclave MACs a report for a target and
/// how the target checks it. Real hardware derives the report key from fused CPU secrets; this derivation is
/// Quote Helper's own and is documented in <c>docs/simulated-platform.md</c> so that other languages can reproduce
/// it:
/// <code>
/// report_key = HMAC-SHA256(platform_report_secret,
///                "QuoteHelper simulated report key v1" ‖ target.mr_enclave (32) ‖ target.attributes (16)
///                ‖ target.misc_select (u32 LE) ‖ target.config_svn (u16 LE) ‖ target.config_id (64)
///                ‖ report.key_id (32)) [0..16)
/// report.mac = AES-128-CMAC(report_key, report.body (384 bytes))
/// </code>
/// A report made for another target (or for an older QE, whose MRENCLAVE differed) therefore fails the check, as
/// on hardware.
/// </summary>
public static class SimulatedReportKey
{
    /// <summary>Length of the platform report secret.</summary>
    public const int PlatformSecretLength = 32;

    /// <summary>Domain-separation label of the derivation (ASCII, no terminator).</summary>
    public const string Label = "QuoteHelper simulated report key v1";

    private static readonly byte[] s_label = Encoding.ASCII.GetBytes(Label);

    /// <summary>Length of the derivation input after the label.</summary>
    private const int TargetIdentityLength = 32 + 16 + 4 + 2 + 64;

    /// <summary>Derives the 16-byte report key of <paramref name="target"/> for a report carrying <paramref name="keyId"/>.</summary>
    /// <exception cref="ArgumentException">A parameter has the wrong length.</exception>
    public static byte[] Derive(ReadOnlySpan<byte> platformSecret, TargetInfo target, ReadOnlySpan<byte> keyId)
    {
        ArgumentNullException.ThrowIfNull(target);
        Span<byte> identity = stackalloc byte[TargetIdentityLength];
        target.MrEnclave.CopyTo(identity);
        target.Attributes.Write(identity[32..]);
        BinaryPrimitives.WriteUInt32LittleEndian(identity[48..], target.MiscSelect);
        BinaryPrimitives.WriteUInt16LittleEndian(identity[52..], target.ConfigSvn);
        target.ConfigId.CopyTo(identity[54..]);
        return Derive(platformSecret, identity, keyId);
    }

    private static byte[] Derive(ReadOnlySpan<byte> platformSecret, ReadOnlySpan<byte> targetIdentity, ReadOnlySpan<byte> keyId)
    {
        SgxThrow.IfWrongLength(platformSecret, PlatformSecretLength, nameof(platformSecret));
        SgxThrow.IfWrongLength(keyId, Report.KeyIdLength, nameof(keyId));
        Span<byte> input = stackalloc byte[s_label.Length + TargetIdentityLength + Report.KeyIdLength];
        s_label.CopyTo(input);
        targetIdentity.CopyTo(input[s_label.Length..]);
        keyId.CopyTo(input[(s_label.Length + TargetIdentityLength)..]);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(platformSecret, input, mac);
        var key = mac[..AesCmac.BlockSize].ToArray();
        CryptographicOperations.ZeroMemory(mac);
        return key;
    }

    /// <summary>
    /// EREPORT in simulation: a report of <paramref name="body"/> for <paramref name="target"/> carrying the CPU's
    /// KEYID, MACed with the target's report key.
    /// </summary>
    public static Report CreateReport(SimulatedCpu cpu, ReportBody body, TargetInfo target)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        var key = Derive(cpu.ReportSecret, target, cpu.ReportKeyId);
        try
        {
            return CreateReport(key, cpu.ReportKeyId, body);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>A report of <paramref name="body"/> MACed with an already derived 16-byte <paramref name="reportKey"/>.</summary>
    public static Report CreateReport(ReadOnlySpan<byte> reportKey, ReadOnlySpan<byte> keyId, ReportBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var report = new Report { Body = body, KeyId = keyId.ToArray(), Mac = new byte[Report.MacLength] };
        using var cmac = new AesCmac(reportKey);
        cmac.Compute(body.ToArray(), report.Mac);
        return report;
    }

    /// <summary>
    /// <c>sgx_verify_report</c> in simulation: true when the 432-byte <paramref name="report"/> was MACed for
    /// <paramref name="self"/>, the enclave doing the check. Derives the key for every call; see
    /// <see cref="SimulatedReportVerifier"/> for the cached form a QE uses.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> platformSecret, TargetInfo self, ReadOnlySpan<byte> report)
    {
        if (report.Length != Report.Size)
        {
            return false;
        }

        var key = Derive(platformSecret, self, report.Slice(Report.KeyIdOffset, Report.KeyIdLength));
        try
        {
            using var cmac = new AesCmac(key);
            return cmac.Verify(report[..ReportBody.Size], report.Slice(Report.MacOffset, Report.MacLength));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}

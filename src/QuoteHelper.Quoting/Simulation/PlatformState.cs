using System.Text.Json.Serialization;

namespace QuoteHelper.Quoting.Simulation;

/// <summary>
/// Everything the simulated platform persists, as stored in <c>platform.json</c> of the state directory
/// (format documented in <c>docs/simulated-platform.md</c>). Binary values are lower-case hex; keys are PKCS#8
/// and certificates DER, both base64.
/// </summary>
public sealed record PlatformState
{
    /// <summary>Version of this file format.</summary>
    public const int CurrentFormat = 1;

    /// <summary>Format version of the file.</summary>
    public int Format { get; init; } = CurrentFormat;

    /// <summary>Platform identity and versions.</summary>
    public required PlatformIdentity Platform { get; init; }

    /// <summary>The platform's report secret (hex, 32 bytes): the simulated CPU key behind every report MAC.</summary>
    public required string ReportSecret { get; init; }

    /// <summary>The KEYID (hex, 32 bytes) every simulated EREPORT on this platform carries.</summary>
    public required string ReportKeyId { get; init; }

    /// <summary>Simulation root CA.</summary>
    public required StoredCertificate RootCa { get; init; }

    /// <summary>PCK Processor CA.</summary>
    public required StoredCertificate PckCa { get; init; }

    /// <summary>PCK leaf certificate (its SGX extension carries the certified TCB).</summary>
    public required StoredCertificate Pck { get; init; }

    /// <summary>TCB signing certificate (signs TCB Info and QE Identity).</summary>
    public required StoredCertificate TcbSigning { get; init; }

    /// <summary>The certified attestation key, or null before the first certification.</summary>
    public StoredAttestationKey? AttestationKey { get; init; }
}

/// <summary>Identity and versions of the simulated platform.</summary>
public sealed record PlatformIdentity
{
    /// <summary>PPID (hex, 16 bytes).</summary>
    public required string Ppid { get; init; }

    /// <summary>QE_ID placed in every quote's user data (hex, 16 bytes).</summary>
    public required string QeId { get; init; }

    /// <summary>FMSPC (hex, 6 bytes).</summary>
    public required string Fmspc { get; init; }

    /// <summary>PCE-ID (hex, 2 bytes).</summary>
    public required string PceId { get; init; }

    /// <summary>Current CPUSVN (hex, 16 bytes).</summary>
    public required string CpuSvn { get; init; }

    /// <summary>Current PCE ISVSVN.</summary>
    public required ushort PceSvn { get; init; }

    /// <summary>Current QE3 ISVSVN.</summary>
    public required ushort QeSvn { get; init; }
}

/// <summary>A certificate with its private key.</summary>
public sealed record StoredCertificate
{
    /// <summary>Certificate, DER, base64.</summary>
    public required string Certificate { get; init; }

    /// <summary>Private key, PKCS#8, base64.</summary>
    public required string PrivateKey { get; init; }
}

/// <summary>An attestation key and its certification (the QE report signed by the PCK).</summary>
public sealed record StoredAttestationKey
{
    /// <summary>Private key, PKCS#8, base64.</summary>
    public required string PrivateKey { get; init; }

    /// <summary>QE ISVSVN of the QE that certified it.</summary>
    public required ushort QeSvn { get; init; }

    /// <summary>The 384-byte QE report body made at certification time (hex).</summary>
    public required string QeReport { get; init; }

    /// <summary>The PCK's 64-byte r ‖ s signature over <see cref="QeReport"/> (hex).</summary>
    public required string QeReportSignature { get; init; }

    /// <summary>SHA-256 of the PCK certificate that signed <see cref="QeReportSignature"/> (hex).</summary>
    public required string PckThumbprint { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PlatformState))]
internal sealed partial class PlatformStateJsonContext : JsonSerializerContext;

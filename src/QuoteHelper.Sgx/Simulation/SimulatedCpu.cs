using System.Text.Json;

namespace QuoteHelper.Sgx.Simulation;

/// <summary>
/// What every enclave on a simulated CPU shares: the report secret that EREPORT uses and the current CPUSVN. On
/// hardware these live in the CPU and any enclave on the machine can use them; in simulation the helper publishes
/// them in a file beside its socket (<see cref="FileName"/>, mode 0644), so that simulated enclaves in workload
/// containers that mount the socket directory can create reports the helper's QE accepts. Simulation has no
/// security: anybody who can read this file can forge reports.
/// </summary>
/// <param name="ReportSecret">The 32-byte platform report secret.</param>
/// <param name="ReportKeyId">The 32-byte KEYID EREPORT writes into reports (on hardware: random per boot).</param>
/// <param name="CpuSvn">The 16-byte CPUSVN EREPORT writes into report bodies.</param>
public sealed record SimulatedCpu(byte[] ReportSecret, byte[] ReportKeyId, byte[] CpuSvn)
{
    /// <summary>Name of the published file, in the directory of the AESM socket.</summary>
    public const string FileName = "sgx-simulated-cpu.json";

    /// <summary>Largest file accepted.</summary>
    public const int MaxFileLength = 4096;

    /// <summary>Path of the file published beside <paramref name="socketPath"/>.</summary>
    public static string PathBesideSocket(string socketPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(socketPath))!, FileName);

    /// <summary>Serialises to the published JSON form: <c>{"reportSecret":"hex","reportKeyId":"hex","cpuSvn":"hex"}</c>.</summary>
    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("reportSecret", Convert.ToHexStringLower(ReportSecret));
            writer.WriteString("reportKeyId", Convert.ToHexStringLower(ReportKeyId));
            writer.WriteString("cpuSvn", Convert.ToHexStringLower(CpuSvn));
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Parses the published JSON form.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid simulated CPU description.</exception>
    public static SimulatedCpu FromJson(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxFileLength)
        {
            throw new InvalidDataException($"A simulated CPU description is at most {MaxFileLength} bytes.");
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var secret = Convert.FromHexString(document.RootElement.GetProperty("reportSecret").GetString() ?? "");
            var keyId = Convert.FromHexString(document.RootElement.GetProperty("reportKeyId").GetString() ?? "");
            var cpuSvn = Convert.FromHexString(document.RootElement.GetProperty("cpuSvn").GetString() ?? "");
            return secret.Length == SimulatedReportKey.PlatformSecretLength && keyId.Length == Report.KeyIdLength && cpuSvn.Length == 16
                ? new SimulatedCpu(secret, keyId, cpuSvn)
                : throw new InvalidDataException("reportSecret and reportKeyId must be 32 bytes and cpuSvn 16 bytes.");
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"Not a simulated CPU description: {e.Message}", e);
        }
    }
}

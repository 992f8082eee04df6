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
/// <param name="CpuSvn">The 16-byte CPUSVN EREPORT writes into report bodies.</param>
public sealed record SimulatedCpu(byte[] ReportSecret, byte[] CpuSvn)
{
    /// <summary>Name of the published file, in the directory of the AESM socket.</summary>
    public const string FileName = "sgx-simulated-cpu.json";

    /// <summary>Largest file accepted.</summary>
    public const int MaxFileLength = 4096;

    /// <summary>Path of the file published beside <paramref name="socketPath"/>.</summary>
    public static string PathBesideSocket(string socketPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(socketPath))!, FileName);

    /// <summary>Serialises to the published JSON form (lower-case hex).</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
    {
        ["reportSecret"] = Convert.ToHexStringLower(ReportSecret),
        ["cpuSvn"] = Convert.ToHexStringLower(CpuSvn),
    });

    /// <summary>Reads a published file.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid simulated CPU description.</exception>
    public static SimulatedCpu Load(string path)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.Length > MaxFileLength)
        {
            throw new InvalidDataException($"{path} is larger than {MaxFileLength} bytes.");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var secret = Convert.FromHexString(document.RootElement.GetProperty("reportSecret").GetString() ?? "");
            var cpuSvn = Convert.FromHexString(document.RootElement.GetProperty("cpuSvn").GetString() ?? "");
            if (secret.Length != SimulatedReportKey.PlatformSecretLength || cpuSvn.Length != 16)
            {
                throw new InvalidDataException($"{path}: reportSecret must be 32 bytes and cpuSvn 16 bytes.");
            }

            return new SimulatedCpu(secret, cpuSvn);
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path} is not a simulated CPU description: {e.Message}", e);
        }
    }

    /// <summary>Writes the file atomically with mode 0644 (temporary file, then rename).</summary>
    public void Publish(string path)
    {
        var temporary = path + $".{Environment.ProcessId}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            }))
            {
                stream.Write(ToJson());
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}

using QuoteHelper.Quoting;
using System.Text.Json;

namespace QuoteHelper.Daemon;

/// <summary>
/// <c>serving.json</c> in the state directory: which socket (path, device, inode) the helper using this state
/// directory serves. A new helper started with the same state directory finds a live socket at the path; when that
/// socket is the one named here, it belongs to its predecessor and may be taken over (the zero-downtime handover);
/// any other live socket — Intel's aesmd, another helper — is never stolen. Inodes, not pids, because the two
/// helpers may live in different pid namespaces (two pods on a node) while sharing the hostPath files.
/// </summary>
public static class ServingMarker
{
    /// <summary>Name of the file in the state directory.</summary>
    public const string FileName = "serving.json";

    private const int MaxLength = 4096;

    /// <summary>Records that this process serves <paramref name="socketPath"/> (atomic write, mode 0600).</summary>
    public static void Write(string stateDirectory, string socketPath)
    {
        if (FileIdentity.Of(socketPath) is not { } identity)
        {
            return;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("socketPath", socketPath);
            writer.WriteNumber("device", identity.Device);
            writer.WriteNumber("inode", identity.Inode);
            writer.WriteNumber("pid", Environment.ProcessId);
            writer.WriteEndObject();
        }

        AtomicFile.Write(Path.Combine(stateDirectory, FileName), buffer.ToArray(), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>True when the socket now at <paramref name="socketPath"/> is the one this state directory's helper serves.</summary>
    public static bool NamesLiveSocket(string stateDirectory, string socketPath) => NamesLiveSocket(stateDirectory, socketPath, out _);

    /// <summary>As <see cref="NamesLiveSocket(string, string)"/>, also giving the predecessor's pid (in its own pid namespace).</summary>
    public static bool NamesLiveSocket(string stateDirectory, string socketPath, out int predecessorPid)
    {
        predecessorPid = 0;
        var path = Path.Combine(stateDirectory, FileName);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > MaxLength || FileIdentity.Of(socketPath) is not { } current)
            {
                return false;
            }

            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            predecessorPid = root.TryGetProperty("pid", out var pid) ? pid.GetInt32() : 0;
            return root.GetProperty("socketPath").GetString() == socketPath &&
                root.GetProperty("device").GetUInt64() == current.Device &&
                root.GetProperty("inode").GetUInt64() == current.Inode &&
                UnixSocketPath.IsLive(socketPath);
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }
}

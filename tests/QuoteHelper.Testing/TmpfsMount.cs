using System.Diagnostics;

namespace QuoteHelper.Testing;

/// <summary>
/// A tmpfs mounted on a fresh temporary directory, that a test fills and then remounts read-only: the real EROFS of
/// a read-only volume (a Kubernetes <c>readOnly: true</c> mount), which file modes cannot imitate for root. Mounting
/// needs CAP_SYS_ADMIN; where it is not allowed <see cref="TryCreate"/> returns null and the test says it was skipped.
/// Disposing unmounts and deletes the directory.
/// </summary>
public sealed class TmpfsMount : IDisposable
{
    private readonly TempDirectory _directory;

    private TmpfsMount(TempDirectory directory) => _directory = directory;

    /// <summary>The mount point.</summary>
    public string Path => _directory.Path;

    /// <summary>Why <see cref="TryCreate"/> returned null, for the skip message.</summary>
    public static string? UnavailableReason { get; private set; }

    /// <summary>A path inside the mount.</summary>
    public string Combine(params string[] parts) => _directory.Combine(parts);

    /// <summary>Mounts a 4 MiB tmpfs, or returns null (with <see cref="UnavailableReason"/>) where mount(8) is refused.</summary>
    public static TmpfsMount? TryCreate()
    {
        var directory = new TempDirectory("qh-tmpfs-");
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", directory.Path);
        if (code == 0)
        {
            return new TmpfsMount(directory);
        }

        UnavailableReason = $"mount -t tmpfs failed ({code}): {output.Trim()}";
        directory.Dispose();
        return null;
    }

    /// <summary>Makes the mount read-only: from now on every write fails with EROFS.</summary>
    public void RemountReadOnly()
    {
        var (code, output) = Run("mount", "-o", "remount,ro", Path);
        if (code != 0)
        {
            throw new InvalidOperationException($"mount -o remount,ro {Path} failed ({code}): {output}");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // A lazy unmount succeeds even while a handle in this process is still open; the directory is then empty.
        Run("umount", "-l", Path);
        _directory.Dispose();
    }

    private static (int Code, string Output) Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}

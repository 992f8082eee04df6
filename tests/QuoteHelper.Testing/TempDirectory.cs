namespace QuoteHelper.Testing;

/// <summary>A fresh directory under /tmp, deleted (with everything in it, sockets included) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates the directory; <paramref name="prefix"/> names it for whoever finds it after a crash.</summary>
    public TempDirectory(string prefix = "qh-test-") =>
        Path = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>Absolute path of the directory.</summary>
    public string Path { get; }

    /// <summary>A path inside the directory.</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

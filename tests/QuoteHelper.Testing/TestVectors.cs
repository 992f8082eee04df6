namespace QuoteHelper.Testing;

/// <summary>Locates the shared test vectors (a <c>shared/vectors</c> folder next to the repository root).</summary>
public static class TestVectors
{
    private static readonly Lazy<string> s_directory = new(Find);

    /// <summary>Absolute path of the shared vectors folder.</summary>
    /// <exception cref="DirectoryNotFoundException">No <c>shared/vectors</c> folder above the test binaries.</exception>
    public static string Directory => s_directory.Value;

    /// <summary>Absolute path of the shared vectors folder (same as <see cref="Directory"/>).</summary>
    public static string GetDirectory() => s_directory.Value;

    /// <summary>Absolute path of a file inside the vectors folder, e.g. <c>Path("dcap-qvl-sample", "sgx_quote")</c>.</summary>
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([s_directory.Value, .. parts]);

    /// <summary>Reads a vector file.</summary>
    public static byte[] ReadAllBytes(params string[] parts) => File.ReadAllBytes(Path(parts));

    private static string Find()
    {
        // The repository is /work/main in development and a clone under /tmp in CI; in both, shared/ is a sibling of
        // the repository root, so walking up from the test binaries finds <ancestor>/shared/vectors.
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null;
             directory = directory.Parent)
        {
            var candidate = System.IO.Path.Combine(directory.FullName, "shared", "vectors");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"No shared/vectors folder found above {AppContext.BaseDirectory}.");
    }
}

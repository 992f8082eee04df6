namespace QuoteHelper.Testing;

/// <summary>
/// Locates the test vectors that ship with the repository (<c>tests/vectors</c>, see its README for each set's origin,
/// licence, evaluation time and expected result). They are read only from the checkout the tests run from, so a
/// fresh clone needs nothing beside it.
/// </summary>
public static class TestVectors
{
    /// <summary>The vectors folder relative to the repository root.</summary>
    public const string RelativeDirectory = "tests/vectors";

    private static readonly Lazy<string> s_directory = new(Find);

    /// <summary>Absolute path of the repository's vectors folder.</summary>
    /// <exception cref="DirectoryNotFoundException">The test binaries are not inside a checkout of this repository.</exception>
    public static string Directory => s_directory.Value;

    /// <summary>Absolute path of a file inside the vectors folder, e.g. <c>Path("dcap-qvl-sample", "sgx_quote")</c>.</summary>
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([s_directory.Value, .. parts]);

    /// <summary>Reads a vector file.</summary>
    public static byte[] ReadAllBytes(params string[] parts) => File.ReadAllBytes(Path(parts));

    private static string Find()
    {
        var vectors = System.IO.Path.Combine(RepositoryRoot.Path, "tests", "vectors");
        return System.IO.Directory.Exists(vectors)
            ? vectors
            : throw new DirectoryNotFoundException($"The checkout at {RepositoryRoot.Path} has no {RelativeDirectory} folder.");
    }
}

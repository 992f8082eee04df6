namespace QuoteHelper.Testing;

/// <summary>The root of the checkout the tests run from: the first ancestor of the test binaries holding the solution.</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> s_path = new(Find);

    /// <summary>Absolute path of the checkout's root.</summary>
    /// <exception cref="DirectoryNotFoundException">The test binaries are not inside a checkout of this repository.</exception>
    public static string Path => s_path.Value;

    private static string Find()
    {
        // Stop at the first root: walking further up could find some other checkout.
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "QuoteHelper.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No checkout of this repository (QuoteHelper.sln) above {AppContext.BaseDirectory}.");
    }
}

namespace QuoteHelper.Cli.Tests.Docs;

/// <summary>Files of the checkout the tests run from (found by walking up to QuoteHelper.sln).</summary>
internal static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] relative) => Path.Combine([Root, .. relative]);

    public static string Read(params string[] relative) => File.ReadAllText(PathOf(relative));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QuoteHelper.sln")) && Directory.Exists(Path.Combine(dir.FullName, "docs")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no repository root (QuoteHelper.sln + docs/) above {AppContext.BaseDirectory}");
    }
}

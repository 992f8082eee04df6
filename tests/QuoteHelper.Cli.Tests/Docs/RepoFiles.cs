namespace QuoteHelper.Cli.Tests.Docs;

/// <summary>Files of the checkout the tests run from (found by walking up to QuoteHelper.sln).</summary>
internal static class RepoFiles
{
    public static string Root => RepositoryRoot.Path;

    public static string PathOf(params string[] relative) => Path.Combine([Root, .. relative]);

    public static string Read(params string[] relative) => File.ReadAllText(PathOf(relative));
}

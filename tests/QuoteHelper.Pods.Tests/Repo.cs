namespace QuoteHelper.Pods.Tests;

/// <summary>Paths in the checkout the tests run from.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Chart => Path.Combine(Root, "deploy", "helm", "quote-helper");
    public static string InstallPodmanScript => Path.Combine(Root, "deploy", "tools", "install-podman.sh");
    public static string BuildImageScript => Path.Combine(Root, "deploy", "image", "build-local.sh");
    public static string ContainersConf => Path.Combine(Root, "deploy", "podman", "containers.conf");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QuoteHelper.sln")) && Directory.Exists(Path.Combine(dir.FullName, "deploy")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no repository root (QuoteHelper.sln + deploy/) above {AppContext.BaseDirectory}");
    }
}

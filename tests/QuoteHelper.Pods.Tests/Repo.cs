namespace QuoteHelper.Pods.Tests;

/// <summary>Paths in the checkout the tests run from.</summary>
internal static class Repo
{
    public static string Root => RepositoryRoot.Path;

    public static string Chart => Path.Combine(Root, "deploy", "helm", "quote-helper");
    public static string InstallPodmanScript => Path.Combine(Root, "deploy", "tools", "install-podman.sh");
    public static string BuildImageScript => Path.Combine(Root, "deploy", "image", "build-local.sh");
    public static string ContainersConf => Path.Combine(Root, "deploy", "podman", "containers.conf");
}

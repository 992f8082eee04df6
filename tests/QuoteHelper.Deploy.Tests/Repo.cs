namespace QuoteHelper.Deploy.Tests;

/// <summary>Paths in the checkout the tests run from.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Deploy => Path.Combine(Root, "deploy");
    public static string Chart => Path.Combine(Deploy, "helm", "quote-helper");
    public static string ValuesFile => Path.Combine(Chart, "values.yaml");
    public static string HardwareValuesFile => Path.Combine(Chart, "values-hardware.yaml");
    public static string InstallHelmScript => Path.Combine(Deploy, "tools", "install-helm.sh");
    public static string RenderScript => Path.Combine(Deploy, "render.sh");
    public static string Dockerfile => Path.Combine(Deploy, "docker", "Dockerfile");
    public static string SystemdUnit => Path.Combine(Deploy, "systemd", "quote-helper.service");
    public static string SystemdHardwareDropIn => Path.Combine(Deploy, "systemd", "hardware.conf");

    public static string Read(params string[] relative) => File.ReadAllText(Path.Combine([Root, .. relative]));

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

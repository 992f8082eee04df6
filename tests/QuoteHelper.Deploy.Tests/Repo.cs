namespace QuoteHelper.Deploy.Tests;

/// <summary>Paths in the checkout the tests run from.</summary>
internal static class Repo
{
    public static string Root => RepositoryRoot.Path;

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
}

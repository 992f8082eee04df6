namespace QuoteHelper.Pods.Tests;

/// <summary>
/// podman with the repository's containers.conf (runc, cgroupfs, ulimits these machines allow; the host's
/// /etc/containers is not touched). Every call has a deadline.
/// </summary>
internal static class Podman
{
    private static readonly Dictionary<string, string> s_environment = new() { ["CONTAINERS_CONF"] = Repo.ContainersConf };

    public static IDictionary<string, string> Environment => new Dictionary<string, string>(s_environment);

    public static ProcessResult Run(TimeSpan timeout, params string[] arguments) =>
        ProcessRunner.Run("podman", arguments, s_environment, timeout);

    public static ProcessResult Run(params string[] arguments) => Run(TimeSpan.FromSeconds(60), arguments);

    /// <summary>Runs podman and fails the test unless it exits 0.</summary>
    public static string Ok(TimeSpan timeout, params string[] arguments)
    {
        var result = Run(timeout, arguments);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StdOut;
    }

    public static string Ok(params string[] arguments) => Ok(TimeSpan.FromSeconds(60), arguments);
}

namespace QuoteHelper.Deploy.Tests;

/// <summary>
/// The daemon's command line as agreed with the daemon's implementation (issue 4; docs/operations.md §2). The chart,
/// the Dockerfile and the systemd unit may use only these flags; a flag outside this list would make the helper
/// refuse to start on every node.
/// </summary>
internal static class DaemonContract
{
    public static readonly string[] ValueFlags =
    [
        "--socket", "--state-dir", "--metrics-listen", "--socket-mode", "--shutdown-timeout",
        "--allow-uid", "--allow-gid", "--max-concurrent-per-peer", "--max-requests-per-second-per-peer",
        "--backend", "--dcap-library", "--qe-svn", "--pce-svn", "--cpu-svn",
    ];

    public static readonly string[] SwitchFlags = ["--json-logs", "--stay-after-handover"];

    /// <summary>Flags only the simulated platform understands.</summary>
    public static readonly string[] SimulationOnlyFlags = ["--qe-svn", "--pce-svn", "--cpu-svn"];

    /// <summary>Violations of the contract in a `daemon` argument list (after the verb).</summary>
    public static List<string> Check(IReadOnlyList<string> args)
    {
        var violations = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (SwitchFlags.Contains(arg))
            {
                continue;
            }

            if (ValueFlags.Contains(arg))
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    violations.Add($"{arg} has no value");
                }

                i++;
                continue;
            }

            violations.Add($"'{arg}' is not a daemon flag of the agreed command line");
        }

        return violations;
    }
}
